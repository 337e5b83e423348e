// The assignment page: "select all" for the rows shown. The server checks the selection
// again; this only saves ticking each row.
(function () {
  "use strict";

  function init() {
    const form = document.getElementById("assignment-bulk");
    const all = document.getElementById("select-all");
    if (!form || !all) return;
    const boxes = Array.from(form.querySelectorAll("input.row-select"));

    function sync() {
      const checked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }

    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
