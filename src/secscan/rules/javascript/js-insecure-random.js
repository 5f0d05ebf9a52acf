// ruleid: js-insecure-random
const resetToken = Math.random().toString(36).substring(2);
// ok: js-insecure-random
const jitter = Math.random() * 100;
// ok: js-insecure-random
const sessionId = crypto.randomBytes(16).toString("hex");

function makeNonce() {
  // ruleid: js-insecure-random
  return Math.floor(Math.random() * 1e9).toString();
}
