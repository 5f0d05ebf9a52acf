const _ = require("lodash");

function filterByQuery(req, items) {
  // ruleid: js-regexp-injection
  const re = new RegExp(req.query.q, "i");
  return items.filter((i) => re.test(i.name));
}

function wordMatcher(word) {
  // ruleid: js-regexp-injection
  return RegExp("^" + word + "$");
}

function prefix(p) {
  // ruleid: js-regexp-injection
  return new RegExp(`^${p}`);
}

function constantPattern() {
  // ok: js-regexp-injection
  return new RegExp("^[a-z0-9_-]{3,16}$", "i");
}

function escaped(word) {
  // ok: js-regexp-injection
  return new RegExp(_.escapeRegExp(word), "g");
}

function literal() {
  // ok: js-regexp-injection
  return new RegExp(/^\d+$/);
}
