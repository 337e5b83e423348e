// Report form and evidence upload: lists the chosen files with their sizes and refuses, before
// anything is sent, a file over the server's per-file limit (data-max-file-bytes), so a phone
// does not spend its data on an upload that would be refused. The server checks again.
(function () {
  "use strict";
  if (window.dvkReportsLoaded) return;
  window.dvkReportsLoaded = true;

  function size(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " byte";
  }

  function check(input) {
    const limit = Number(input.dataset.maxFileBytes) || 0;
    const summary = document.querySelector('[data-file-summary-for="' + input.id + '"]');
    const lines = [];
    let tooBig = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      lines.push(file.name + " (" + size(file.size) + ")");
      if (limit && file.size > limit) tooBig.push(file.name);
    });
    // The message text comes from the server, translated (data-too-large-message).
    const message = tooBig.length ? input.dataset.tooLargeMessage + " (" + tooBig.join(", ") + ")" : "";
    input.setCustomValidity(message);
    input.classList.toggle("is-invalid", Boolean(message));
    if (summary) {
      summary.textContent = message || lines.join(" · ");
      summary.classList.toggle("text-danger", Boolean(message));
    }
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.matches && input.matches("input[type=file][data-max-file-bytes]")) check(input);
  });

  document.addEventListener("submit", function (event) {
    const bad = event.target.querySelector("input[type=file][data-max-file-bytes]:invalid");
    if (bad) {
      event.preventDefault();
      bad.reportValidity();
    }
  });
})();
