app.post("/prefs", (req, res) => {
  // ruleid: js-trust-boundary-session
  req.session.role = req.body.role;
  // ruleid: js-trust-boundary-session
  req.session["theme"] = req.query.theme;
  // ok: js-trust-boundary-session
  req.session.pageSize = parseInt(req.body.pageSize, 10);
  // ok: js-trust-boundary-session
  req.session.visited = true;
  res.end();
});
