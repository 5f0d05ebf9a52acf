function showGreeting(name) {
  const el = document.getElementById("greeting");
  // ruleid: js-dom-innerhtml-xss
  el.innerHTML = "<b>Hello " + name + "</b>";
}

function showComment(comment) {
  // ruleid: js-dom-innerhtml-xss
  document.querySelector("#comments").insertAdjacentHTML("beforeend", `<li>${comment.text}</li>`);
}

function replaceNode(node, html) {
  // ruleid: js-dom-innerhtml-xss
  node.outerHTML = html;
}

function showSearch() {
  const q = new URLSearchParams(location.search).get("q");
  // ruleid: js-dom-innerhtml-xss
  document.getElementById("results").innerHTML += q;
}

function showGreetingSafe(name) {
  // ok: js-dom-innerhtml-xss
  document.getElementById("greeting").textContent = "Hello " + name;
}

function staticMarkup(el) {
  // ok: js-dom-innerhtml-xss
  el.innerHTML = "<p>Loading&hellip;</p>";
}

function sanitised(el, html) {
  // ok: js-dom-innerhtml-xss
  el.innerHTML = DOMPurify.sanitize(html);
}

function clear(el) {
  // ok: js-dom-innerhtml-xss
  el.innerHTML = "";
}
