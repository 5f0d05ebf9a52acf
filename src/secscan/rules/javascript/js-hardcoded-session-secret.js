const session = require("express-session");
const cookieParser = require("cookie-parser");

module.exports = {
  port: 4000,
  // ruleid: js-hardcoded-session-secret
  cookieSecret: "session_cookie_secret_key_here",
  // ruleid: js-hardcoded-session-secret
  cryptoKey: "a_secure_key_for_crypto_here",
  // ok: js-hardcoded-session-secret
  cryptoAlgo: "aes256",
  // ok: js-hardcoded-session-secret
  sessionSecret: process.env.SESSION_SECRET,
};

// ruleid: js-hardcoded-session-secret
app.use(cookieParser("kekse"));
// ok: js-hardcoded-session-secret
app.use(cookieParser(process.env.COOKIE_SECRET));
