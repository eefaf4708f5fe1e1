// The public report form: search the mark registry as one types (filling in the registration
// number), and hide the reporter's particulars when the report is anonymous. Without this
// script the form still works: the registration number is typed by hand.
(function () {
  "use strict";
  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }
  function setUpSearch(form) {
    var box = form.querySelector("[data-mark-search]");
    if (!box) return;
    var input = box.querySelector("input");
    var results = box.querySelector("[data-mark-results]");
    var regNo = form.querySelector("[name='trademark-registration_no']");
    var name = form.querySelector("[name='trademark-name']");
    box.hidden = false;
    var search = debounce(function (q) {
      if (!q) { results.replaceChildren(); return; }
      fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(q), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : { items: [] }; }).then(function (data) {
        results.replaceChildren();
        data.items.forEach(function (mark) {
          var item = document.createElement("button");
          item.type = "button";
          item.className = "list-group-item list-group-item-action";
          item.dataset.regNo = mark.registration_no;
          var title = document.createElement("strong");
          title.textContent = mark.name;
          var detail = document.createElement("small");
          detail.className = "d-block text-muted";
          detail.textContent = mark.registration_no + " · " + mark.type + " · " + mark.owner;
          item.append(title, detail);
          item.addEventListener("click", function () {
            regNo.value = mark.registration_no;
            name.value = mark.name;
            input.value = mark.name + "（" + mark.registration_no + "）";
            results.replaceChildren();
          });
          results.appendChild(item);
        });
      }).catch(function () { results.replaceChildren(); });
    }, 250);
    input.addEventListener("input", function () { search(input.value.trim()); });
  }
  function setUpAnonymous(form) {
    var box = form.querySelector("[data-anonymous]");
    var named = form.querySelector("[data-named-reporter]");
    if (!box || !named) return;
    function sync() { named.hidden = box.checked; }
    box.addEventListener("change", sync);
    sync();
  }
  function init() {
    document.querySelectorAll("[data-report-form]").forEach(function (form) {
      setUpSearch(form);
      setUpAnonymous(form);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
