function compileFilter(expr) {
  // ruleid: js-function-constructor-injection
  return new Function("item", "return " + expr + ";");
}

function compileBody(req) {
  // ruleid: js-function-constructor-injection
  const fn = Function(req.body.code);
  return fn();
}

function compileTemplate(field) {
  // ruleid: js-function-constructor-injection
  return new Function("row", `return row.${field}`);
}

function constantFn() {
  // ok: js-function-constructor-injection
  return new Function("a", "b", "return a + b");
}

function closure(field) {
  // ok: js-function-constructor-injection
  return (row) => row[field];
}

function bound(fn, ctx) {
  // ok: js-function-constructor-injection
  return Function.prototype.bind.call(fn, ctx);
}
