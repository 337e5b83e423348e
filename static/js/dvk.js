// Loaded on every page. No inline scripts: the Content-Security-Policy forbids them.
document.addEventListener("htmx:configRequest", function (event) {
  // htmx requests carry the CSRF token like forms do.
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
document.addEventListener("click", function (event) {
  const pick = event.target.closest("[data-pick-code]");
  if (!pick) return;
  const input = document.getElementById(pick.dataset.pickTarget);
  if (input) { input.value = pick.dataset.pickCode; input.focus(); }
  event.preventDefault();
});
