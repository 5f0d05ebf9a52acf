const _ = require("lodash");

app.get("/search", (req, res) => {
  // ruleid: js-regexp-injection
  const re = new RegExp(req.query.pattern);
  // ok: js-regexp-injection
  const literal = new RegExp(_.escapeRegExp(req.query.pattern));
  // ruleid: js-regexp-injection
  const flagged = RegExp("^" + req.query.prefix, "i");
  res.json({ a: re.test("x"), b: literal.test("x"), c: flagged.test("x") });
});

function build(words) {
  // ok: js-regexp-injection
  return new RegExp(words.join("|"));
}
