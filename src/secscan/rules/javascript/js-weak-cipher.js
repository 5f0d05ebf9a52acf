const crypto = require("crypto");

// ruleid: js-weak-cipher
const des = crypto.createCipheriv("des-ede3-cbc", key, iv);
// ruleid: js-weak-cipher
const ecb = crypto.createCipheriv("aes-128-ecb", key, null);
// ruleid: js-weak-cipher
const legacy = crypto.createCipher("aes256", password);
// ok: js-weak-cipher
const gcm = crypto.createCipheriv("aes-256-gcm", key, iv);
// ok: js-weak-cipher
const cbc = crypto.createCipheriv("aes-256-cbc", key, iv);
