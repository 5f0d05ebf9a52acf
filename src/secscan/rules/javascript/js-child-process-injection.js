const child_process = require("child_process");

app.get("/ping", (req, res) => {
  // ruleid: js-child-process-injection
  child_process.exec("ping -c 1 " + req.query.host, (err, out) => res.send("done"));
  // ok: js-child-process-injection
  child_process.execFile("ping", ["-c", "1", req.query.host]);
  // ruleid: js-child-process-injection
  child_process.execSync(`tar czf out.tgz ${req.body.dir}`);
});

function build(target) {
  // Program input, not request data.
  // ok: js-child-process-injection
  child_process.exec("make " + target);
}
