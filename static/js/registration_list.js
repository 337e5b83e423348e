// The registration list: "select all" for the rows the user may review, and the comment
// that returning requires. The server checks both again; this only saves a round trip.
(function () {
  "use strict";

  function init() {
    const form = document.getElementById("registration-bulk");
    if (!form) return;
    const all = document.getElementById("select-all");
    const boxes = Array.from(form.querySelectorAll("input.row-select"));
    const action = document.getElementById("bulk-action");
    const comment = document.getElementById("bulk-comment");

    function syncAll() {
      if (!all) return;
      const checked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }

    if (all) {
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", syncAll); });

    function syncComment() {
      if (action && comment) comment.required = action.value === "return";
    }
    if (action) action.addEventListener("change", syncComment);
    syncComment();

    form.addEventListener("submit", function (event) {
      if (!boxes.some(function (box) { return box.checked; })) {
        event.preventDefault();
        window.alert(form.dataset.emptyMessage || "");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
