function calc(req, res) {
  // ruleid: js-eval-injection
  const result = eval(req.query.expr);
  res.send(String(result));
}

function fromHash() {
  // ruleid: js-eval-injection
  window.eval("render(" + location.hash.slice(1) + ")");
}

function tpl(name) {
  // ruleid: js-eval-injection
  return eval(`config.${name}`);
}

function constant() {
  // ok: js-eval-injection
  return eval("1 + 1");
}

function parse(body) {
  // ok: js-eval-injection
  return JSON.parse(body);
}

function mathjs(math, expr) {
  // ok: js-eval-injection
  return math.evaluate(expr);
}
