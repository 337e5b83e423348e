// Recognition dossier: a live count of the report's characters against its budget
// (data-budget), counted as the server counts them (code points, newlines as one). The server
// refuses a report over the budget whatever this shows.
(function () {
  "use strict";
  if (window.dvkDossierLoaded) return;
  window.dvkDossierLoaded = true;

  function length(text) {
    const normal = text.normalize ? text.normalize("NFC") : text;
    return Array.from(normal.replace(/\r\n?/g, "\n").trim()).length;
  }

  function setup() {
    const box = document.getElementById("report-budget");
    if (!box) return;
    const budget = Number(box.dataset.budget) || 0;
    const fields = document.querySelectorAll("textarea[data-report-field]");
    const count = box.querySelector("[data-report-count]");
    const over = box.querySelector("[data-report-over]");
    function update() {
      let total = 0;
      fields.forEach(function (field) { total += length(field.value); });
      count.textContent = total.toLocaleString("vi-VN");
      const isOver = budget && total > budget;
      box.classList.toggle("alert-danger", Boolean(isOver));
      box.classList.toggle("alert-light", !isOver);
      over.textContent = isOver ? box.dataset.overText : "";
    }
    fields.forEach(function (field) { field.addEventListener("input", update); });
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
