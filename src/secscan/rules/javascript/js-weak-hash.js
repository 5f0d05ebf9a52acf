const crypto = require("crypto");

// ruleid: js-weak-hash
const hash = (data) => crypto.createHash("md5").update(data).digest("hex");
// ruleid: js-weak-hash
const fp = crypto.createHash("sha1").update(data).digest("hex");
// ok: js-weak-hash
const good = crypto.createHash("sha256").update(data).digest("hex");
// ok: js-weak-hash
const hmac = crypto.createHmac("sha512", key).update(data).digest("hex");
