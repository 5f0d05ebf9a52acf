app.post("/login", (req, res) => {
  // ruleid: js-cookie-httponly-disabled
  res.cookie("token", token);
  // ok: js-cookie-httponly-disabled
  res.cookie("token", token, { httpOnly: true, secure: true });
  // ruleid: js-cookie-httponly-disabled
  res.cookie("sessionId", id, { secure: true });
  // ok: js-cookie-httponly-disabled
  res.cookie("language", "en");
  res.end();
});

// ruleid: js-cookie-httponly-disabled
app.use(session({ secret: process.env.S, cookie: { httpOnly: false, secure: true } }));
