const serialize = require("node-serialize");

app.get("/profile", (req, res) => {
  const raw = Buffer.from(req.cookies.profile, "base64").toString();
  // ruleid: js-unsafe-deserialization
  const profile = serialize.unserialize(raw);
  // ok: js-unsafe-deserialization
  const data = JSON.parse(raw);
  // ruleid: js-unsafe-deserialization
  const other = require("node-serialize").unserialize(raw);
  // ok: js-unsafe-deserialization
  const text = serialize.serialize(data);
  res.json({ profile, data, other, text });
});
