const fs = require("fs");
const path = require("path");

app.get("/ftp/:file", (req, res) => {
  const file = req.params.file;
  // ruleid: js-path-traversal
  res.sendFile(path.resolve("ftp/", file));
  // ok: js-path-traversal
  res.sendFile(path.resolve("ftp/", path.basename(file)));
});

app.get("/logs", (req, res) => {
  // ruleid: js-path-traversal
  fs.readFile("/var/log/app/" + req.query.name, (err, data) => res.json({ size: data.length }));
  // ok: js-path-traversal
  res.sendFile(req.query.name, { root: "/var/log/app" });
});

function readConfig(name) {
  // ok: js-path-traversal
  return fs.readFileSync(path.join(__dirname, name));
}
