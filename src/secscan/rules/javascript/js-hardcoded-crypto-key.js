const jwt = require("jsonwebtoken");
const crypto = require("crypto");

// ruleid: js-hardcoded-crypto-key
const token = jwt.sign({ sub: user.id }, "dev-only-not-a-secret", { expiresIn: "1h" });
// ok: js-hardcoded-crypto-key
const token2 = jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: "1h" });
// ruleid: js-hardcoded-crypto-key
const mac = crypto.createHmac("sha256", "not-a-real-key-abc").update(data).digest("hex");
// ok: js-hardcoded-crypto-key
const mac2 = crypto.createHmac("sha256", keyFromVault).update(data).digest("hex");
