function later(id) {
  // ruleid: js-timer-string-injection
  setTimeout("showItem(" + id + ")", 100);
}

function poll(name) {
  // ruleid: js-timer-string-injection
  window.setInterval(`refresh('${name}')`, 5000);
}

function laterFn(id) {
  // ok: js-timer-string-injection
  setTimeout(() => showItem(id), 100);
}

function pollRef() {
  // ok: js-timer-string-injection
  setInterval(refresh, 5000);
}

function constantString() {
  // ok: js-timer-string-injection
  setTimeout("tick" + "()", 10);
}
