const jwt = require("jsonwebtoken");

function currentUser(req) {
  // ruleid: js-jwt-not-verified
  const claims = jwt.decode(req.headers.authorization);
  return claims.sub;
}

function verified(req) {
  // ruleid: js-jwt-not-verified
  const claims = jwt.verify(req.cookies.token, publicKey, { algorithms: ["RS256", "none"] });
  // ok: js-jwt-not-verified
  const strict = jwt.verify(req.cookies.token, publicKey, { algorithms: ["RS256"] });
  return claims.sub + strict.sub;
}

function display(token) {
  const ok = jwt.verify(token, publicKey, { algorithms: ["RS256"] });
  // ok: js-jwt-not-verified
  const header = jwt.decode(token, { complete: true });
  return ok && header;
}
