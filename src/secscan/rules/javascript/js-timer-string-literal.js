function start() {
  // ruleid: js-timer-string-literal
  setTimeout("tick()", 1000);
  // ruleid: js-timer-string-literal
  window.setInterval('refreshBanner()', 30000);
}

function startFn() {
  // ok: js-timer-string-literal
  setTimeout(tick, 1000);
  // ok: js-timer-string-literal
  setInterval(() => refreshBanner(), 30000);
}

function label(timer) {
  // ok: js-timer-string-literal
  console.log("setTimeout", timer);
}
