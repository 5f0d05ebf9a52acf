app.post("/profile", (req, res) => {
  // ruleid: js-redos-nested-quantifier
  const regexPattern = /([0-9]+)+\#/;
  // ok: js-redos-nested-quantifier
  const fixedPattern = /([0-9]+)\#/;
  // ruleid: js-redos-nested-quantifier
  const email = new RegExp("^([a-z0-9_.-]+)*@example\\.test$");
  // ok: js-redos-nested-quantifier
  const words = /(\w+)\s(\w+)/;
  res.json({ ok: regexPattern.test(req.body.bankRouting) && fixedPattern && email && words });
});
