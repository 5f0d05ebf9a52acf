const https = require("https");
const tls = require("tls");
const fs = require("fs");

// ruleid: js-tls-reject-unauthorized-disabled
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });

function connect(host) {
  // ruleid: js-tls-reject-unauthorized-disabled
  return tls.connect({ host, port: 443, rejectUnauthorized: false });
}

function globalAgent() {
  // ruleid: js-tls-reject-unauthorized-disabled
  https.globalAgent.options.rejectUnauthorized = false;
}

// ok: js-tls-reject-unauthorized-disabled
const strictAgent = new https.Agent({ rejectUnauthorized: true });

// ok: js-tls-reject-unauthorized-disabled
const caAgent = new https.Agent({ ca: fs.readFileSync("/etc/ssl/internal-ca.pem") });

function devOnly(isDev) {
  // ok: js-tls-reject-unauthorized-disabled
  return new https.Agent({ rejectUnauthorized: !isDev });
}
