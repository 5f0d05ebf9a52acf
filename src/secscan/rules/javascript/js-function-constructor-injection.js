app.get("/calc", (req, res) => {
  // ruleid: js-function-constructor-injection
  const fn = new Function("x", "return " + req.query.formula);
  // ok: js-function-constructor-injection
  const double = new Function("x", "return x * 2");
  res.json({ value: fn(1) + double(1) });
});

// ruleid: js-function-constructor-injection
const fromUrl = Function(document.location.search.substring(1));

function compile(body) {
  // ok: js-function-constructor-injection
  return new Function(body);
}
