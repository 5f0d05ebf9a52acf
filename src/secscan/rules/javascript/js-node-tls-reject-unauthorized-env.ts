export function disableTls(): void {
  // ruleid: js-node-tls-reject-unauthorized-env
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
}

export function enableTls(): void {
  // ok: js-node-tls-reject-unauthorized-env
  delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
}
