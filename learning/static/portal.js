// Progressive enhancement only: every page works without this file.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (target) {
    event.preventDefault();
    window.print();
  }
});

// A text area's character count against its limit (the _macros.html "counted" field): the server refuses
// a longer text and keeps it; this only tells the person as they type, before they send it.
function updateCount(area) {
  var counter = document.getElementById(area.id + "-count");
  if (!counter) return;
  var length = Array.from(area.value).length; // characters, not UTF-16 units: as the server counts
  var limit = parseInt(area.getAttribute("data-limit"), 10);
  counter.querySelector("[data-count]").textContent = length.toLocaleString();
  counter.querySelector("[data-over]").hidden = length <= limit;
  counter.classList.toggle("over", length > limit);
}
document.addEventListener("input", function (event) {
  if (event.target.matches && event.target.matches("textarea[data-limit]")) updateCount(event.target);
});
document.querySelectorAll("textarea[data-limit]").forEach(updateCount);

// A "Copy" button beside a code (data-copy names the element): the clipboard API where the page is a secure
// context, else the text is selected and copied the older way; either way the person can still select it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  var done = function () { button.textContent = button.getAttribute("data-copied"); };
  var selectIt = function () {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (document.execCommand && document.execCommand("copy")) done();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.textContent.trim()).then(done, selectIt);
  } else {
    selectIt();
  }
});
