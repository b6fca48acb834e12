// Expand and collapse the department tree of a report (without JavaScript every row is simply shown).
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.report-tree tbody tr[data-id]"));
  var parentOf = {};
  rows.forEach(function (row) { parentOf[row.dataset.id] = row.dataset.parent; });
  var collapsed = {};
  function hiddenByAncestor(id) {
    for (var p = parentOf[id]; p; p = parentOf[p]) { if (collapsed[p]) { return true; } }
    return false;
  }
  function refresh() { rows.forEach(function (row) { row.hidden = hiddenByAncestor(row.dataset.id); }); }
  document.querySelectorAll("button[data-toggle]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var id = button.dataset.toggle;
      collapsed[id] = !collapsed[id];
      button.setAttribute("aria-expanded", collapsed[id] ? "false" : "true");
      button.textContent = collapsed[id] ? "▸" : "▾";
      refresh();
    });
  });
})();
