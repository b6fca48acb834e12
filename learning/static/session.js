// The idle warning: shortly before the idle timeout (data-idle-seconds on <body>) a notice offers "Stay signed
// in", which calls the keep-alive endpoint. Only an enhancement: without it the server's timeout applies as
// always. Activity in another tab of the portal counts too (localStorage), and so does a quiz answer saved
// in the background (the "portal:activity" event, quiz.js).
(function () {
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var warnBefore = parseInt(body.getAttribute("data-warn-seconds"), 10) || 120;
  var box = document.getElementById("idle-warning");
  if (!idle || !box) return;
  var key = "portal-last-activity";
  var token = document.querySelector('meta[name="csrf-token"]');
  var lastActive = Date.now();
  var shown = null; // null, "soon" or "ended"

  function noteActivity(at) {
    lastActive = Math.max(lastActive, at || Date.now());
    try { localStorage.setItem(key, String(lastActive)); } catch (e) { /* private mode: this tab only */ }
  }
  function show(state) {
    if (shown === state) return;
    shown = state;
    box.hidden = state === null;
    box.querySelectorAll("[data-when]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when") !== state;
    });
    if (state === "ended") box.setAttribute("aria-labelledby", "idle-warning-ended");
    var focus = box.querySelector(state === "soon" ? "[data-keepalive]" : "[data-sign-in]");
    if (focus) focus.focus();
  }
  function tick() {
    try { lastActive = Math.max(lastActive, parseInt(localStorage.getItem(key), 10) || 0); } catch (e) { /* */ }
    var left = idle - (Date.now() - lastActive) / 1000;
    if (shown === "ended") return;
    if (left <= 0) show("ended");
    else if (left <= warnBefore) show("soon");
    else if (shown === "soon") show(null); // another tab kept the session going
  }

  box.querySelector("[data-keepalive]").addEventListener("click", function () {
    fetch(body.getAttribute("data-keepalive"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.content : "", Accept: "application/json" },
    }).then(function (response) {
      if (response.ok) {
        noteActivity();
        show(null);
      } else {
        show("ended");
      }
    }, function () { /* the network is down: leave the notice up, the button can be tried again */ });
  });
  document.addEventListener("portal:activity", function () { noteActivity(); tick(); });
  noteActivity();
  setInterval(tick, 5000);
})();
