// Tables of records in action forms (field kind "rows"): the "add a row" button copies the
// last row with its inputs emptied and renumbered (<name>-<i>-<column>).
(function () {
  "use strict";
  function renumber(row, index) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      ["name", "id"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/-\d+-/, "-" + index + "-"));
      });
      if (el.tagName === "SELECT") el.selectedIndex = 0; else el.value = "";
      el.classList.remove("is-invalid");
    });
    var number = row.querySelector("[data-row-number]");
    if (number) number.textContent = String(index + 1);
  }
  function setUp(box) {
    var button = box.querySelector("[data-add-row]");
    var body = box.querySelector("tbody");
    if (!button || !body || box.dataset.rowsReady) return;
    box.dataset.rowsReady = "1";
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = body.querySelectorAll("[data-row]");
      var copy = rows[rows.length - 1].cloneNode(true);
      renumber(copy, rows.length);
      body.appendChild(copy);
      var first = copy.querySelector("input, select");
      if (first) first.focus();
    });
  }
  function init() { document.querySelectorAll("[data-rows]").forEach(setUp); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
