/* Duban portal: small enhancements on top of server-rendered pages (htmx does the rest). */
(function () {
  "use strict";
  // A sheet row with unsaved typing is highlighted until it is saved.
  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest(".sheet-row");
    if (row) {
      row.classList.add("dirty");
      row.classList.remove("saved");
    }
  });
  // A failed request (network down, server error) must not look like a save.
  function showFailure(event) {
    var row = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".sheet-row");
    if (!row) { return; }
    var box = row.querySelector(".row-message");
    if (box) {
      box.textContent = row.getAttribute("data-failed") || "保存失败,请稍后重试。";
      box.className = "row-message bad";
    }
  }
  // A select marked data-autosubmit submits its form on change (no inline handlers: CSP).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });
  // The phone menu: one button opens and closes the main navigation (CSS shows it on wide
  // screens; without scripts the menu simply stays open).
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".menu-toggle");
    if (!button) { return; }
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) { nav.classList.toggle("open", open); }
  });
  document.addEventListener("htmx:responseError", showFailure);
  document.addEventListener("htmx:sendError", showFailure);
  // Typing that was not saved (or was refused) is not lost silently: leaving the page asks, and
  // 全部报送 waits until every row is saved (it files saved drafts only).
  function unsaved() { return document.querySelector(".sheet-row.dirty, .sheet-row.problem"); }
  window.addEventListener("beforeunload", function (event) {
    if (unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("submit-all") && unsaved()) {
      event.preventDefault();
      window.alert(form.getAttribute("data-unsaved"));
    }
  });
})();
