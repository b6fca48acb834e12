// Quiz answers saved as they are picked: each change posts the question's ticked choices to the attempt's
// JSON endpoint, so that a session ending mid-quiz loses nothing (the page ticks them again after signing
// in). Picks the server could not take (the session had ended) wait in this tab's sessionStorage and are
// sent once the page is back. Without JavaScript the form works as before: the answers go with the submit.
(function () {
  var form = document.querySelector("form[data-save]");
  if (!form) return;
  var url = form.getAttribute("data-save");
  var key = "portal-quiz-" + form.getAttribute("data-attempt");
  var token = document.querySelector('meta[name="csrf-token"]');
  var ended = document.getElementById("quiz-session-ended");

  function pending() {
    try { return JSON.parse(sessionStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function keep(question, choices) {
    var all = pending();
    if (choices === null) delete all[question]; else all[question] = choices;
    try { sessionStorage.setItem(key, JSON.stringify(all)); } catch (e) { /* storage full or off */ }
  }
  function status(fieldset, state) {
    var el = fieldset.querySelector("[data-save-status]");
    if (el) el.textContent = state ? el.getAttribute("data-" + state) : "";
  }
  function choicesOf(fieldset) {
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
      return parseInt(input.value, 10);
    });
  }
  function save(fieldset) {
    var question = fieldset.getAttribute("data-question");
    var choices = choicesOf(fieldset);
    keep(question, choices);
    status(fieldset, "saving");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.content : "",
      },
      body: JSON.stringify({ question: parseInt(question, 10), choices: choices }),
    }).then(function (response) {
      if (response.ok) {
        keep(question, null);
        status(fieldset, "saved");
        document.dispatchEvent(new CustomEvent("portal:activity"));
      } else if (response.status === 401 || response.status === 400) {
        // Signed out (401), or the token went with the session (400): kept here until the page is back.
        status(fieldset, "kept");
        if (ended) ended.hidden = false;
      } else {
        keep(question, null); // refused for good (submitted elsewhere): the submit will say why
        status(fieldset, "failed");
      }
    }, function () {
      status(fieldset, "kept"); // offline: kept here, sent with the next pick or the next visit
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) save(fieldset);
  });
  // Back after signing in again: the picks that could not be sent are ticked and sent now.
  var waiting = pending();
  Object.keys(waiting).forEach(function (question) {
    var fieldset = form.querySelector('fieldset[data-question="' + question + '"]');
    if (!fieldset) return keep(question, null);
    fieldset.querySelectorAll("input").forEach(function (input) {
      input.checked = waiting[question].indexOf(parseInt(input.value, 10)) !== -1;
    });
    save(fieldset);
  });
})();
