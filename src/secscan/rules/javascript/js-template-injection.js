const pug = require("pug");
const ejs = require("ejs");

app.get("/page", (req, res) => {
  // ruleid: js-template-injection
  const html = pug.render("p Hello " + req.query.name);
  // ok: js-template-injection
  const safe = pug.render("p Hello #{name}", { name: req.query.name });
  // ruleid: js-template-injection
  const other = ejs.render(req.body.template, {});
  // ok: js-template-injection
  const fixed = ejs.render("<%= name %>", { name: req.body.name });
  res.send(html + safe + other + fixed);
});
