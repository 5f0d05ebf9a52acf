const param = location.search.substring(1);
// ruleid: js-timer-string-injection
setTimeout("update('" + param + "')", 100);
// ok: js-timer-string-injection
setTimeout(() => update(param), 100);
// ruleid: js-timer-string-injection
window.setInterval(document.cookie, 1000);

function later(code) {
  // ok: js-timer-string-injection
  setTimeout(code, 10);
}
