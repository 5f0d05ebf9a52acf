const xpath = require("xpath");

app.post("/login", (req, res) => {
  // ruleid: js-xpath-injection
  const nodes = xpath.select("//user[@name='" + req.body.user + "']", doc);
  // ok: js-xpath-injection
  const all = xpath.select("//user", doc);
  // ruleid: js-xpath-injection
  const one = xpath.select1(`//user[@id='${req.query.id}']`, doc);
  // ok: js-xpath-injection
  const num = xpath.select1("//user[@id=" + parseInt(req.query.id, 10) + "]", doc);
  res.json({ n: nodes.length + all.length, one, num });
});
