app.get("/learn", (req, res) => {
  // ruleid: js-open-redirect
  return res.redirect(req.query.url);
});

app.get("/redirect", (req, res) => {
  const toUrl = req.query.to;
  // ruleid: js-open-redirect
  res.redirect(302, toUrl);
});

app.get("/profile", (req, res) => {
  // ok: js-open-redirect
  res.redirect("/users/" + encodeURIComponent(req.query.id));
  // ok: js-open-redirect
  res.redirect("/login");
});

const next = new URLSearchParams(location.search).get("next");
// ruleid: js-open-redirect
window.location.href = location.hash.substring(1);
