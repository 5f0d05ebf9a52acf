function trackReferrer() {
  // ruleid: js-document-write-xss
  document.write("<img src='/pixel?ref=" + document.referrer + "'>");
}

function banner(user) {
  // ruleid: js-document-write-xss
  document.writeln(`<h1>Welcome ${user.name}</h1>`);
}

function staticBanner() {
  // ok: js-document-write-xss
  document.write("<h1>Welcome</h1>");
}

function safeBanner(user) {
  const h1 = document.createElement("h1");
  h1.textContent = "Welcome " + user.name;
  // ok: js-document-write-xss
  document.body.appendChild(h1);
}

function stream(out, chunk) {
  // ok: js-document-write-xss
  out.write(chunk);
}
