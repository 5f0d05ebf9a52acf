const escapeHtml = require("escape-html");

app.get("/search", (req, res) => {
  // ruleid: js-xss-response
  res.send("<p>No results for " + req.query.q + "</p>");
  // ok: js-xss-response
  res.send("<p>No results for " + escapeHtml(req.query.q) + "</p>");
  // ok: js-xss-response
  res.json({ q: req.query.q });
});

require("http").createServer((req, res) => {
  // ruleid: js-xss-response
  res.end(`<h1>${req.url}</h1>`);
});

function banner(res, version) {
  // ok: js-xss-response
  res.send("<p>v" + version + "</p>");
}
