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
