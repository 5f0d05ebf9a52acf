const cp = require("child_process");
const { exec, execSync, execFile } = require("child_process");

function listDir(dir) {
  // ruleid: js-child-process-injection
  cp.exec("ls -la " + dir, (err, out) => console.log(out));
}

function gitLog(branch) {
  // ruleid: js-child-process-injection
  return execSync(`git log --oneline ${branch}`).toString();
}

function runUserCommand(req) {
  const cmd = req.query.cmd;
  // ruleid: js-child-process-injection
  exec(cmd);
}

function inline(file) {
  // ruleid: js-child-process-injection
  require("child_process").execSync("cat " + file);
}

function constantCommand() {
  // ok: js-child-process-injection
  execSync("git rev-parse HEAD");
}

function argvForm(branch) {
  // ok: js-child-process-injection
  execFile("git", ["log", "--oneline", branch], (err, out) => console.log(out));
}

function regexExec(re, input) {
  // ok: js-child-process-injection
  return re.exec(input);
}
