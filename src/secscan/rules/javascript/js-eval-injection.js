const vm = require("vm");

app.post("/contributions", (req, res) => {
  // ruleid: js-eval-injection
  const preTax = eval(req.body.preTax);
  // ok: js-eval-injection
  const afterTax = parseInt(req.body.afterTax, 10);
  // ruleid: js-eval-injection
  vm.runInNewContext("total = " + req.query.expr, {});
  res.send("ok");
});

const hash = location.hash.slice(1);
// ruleid: js-eval-injection
eval(decodeURIComponent(hash));

function run(code) {
  // Program input, not request data.
  // ok: js-eval-injection
  return eval(code);
}
