// ruleid: js-node-tls-reject-unauthorized-env
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

function insecureMode() {
  // ruleid: js-node-tls-reject-unauthorized-env
  process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;
}

// ok: js-node-tls-reject-unauthorized-env
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";

function check() {
  // ok: js-node-tls-reject-unauthorized-env
  if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === "0") {
    console.warn("TLS verification is disabled");
  }
}

// ok: js-node-tls-reject-unauthorized-env
process.env.NODE_EXTRA_CA_CERTS = "/etc/ssl/internal-ca.pem";
