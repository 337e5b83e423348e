// Loaded on every page. No inline scripts: the Content-Security-Policy forbids them.

// Shared by the page scripts (scoring.js, offline.js): DVK.h builds elements with
// textContent, never from HTML strings, so nothing the server sends can become markup
// (h("div", {class: "x", onclick: fn, dataset: {a: 1}}, [child, "text"])); DVK.fill puts
// values into a translated string's {name} places.
window.DVK = {
  h: function (tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      const value = attrs[name];
      if (value == null || value === false) return;
      if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else if (name === "class") node.className = value;
      else if (name === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child == null || child === false) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  },
  fill: function (text, values) {
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name] == null ? "" : String(values[name]));
    });
    return text;
  },
};

document.addEventListener("htmx:configRequest", function (event) {
  // htmx requests carry the CSRF token like forms do.
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  // A form that only chooses what the page shows (the open campaigns' unit) goes as soon as
  // its search picker (picker.js) has a value: no extra tap on "Xem" on a phone.
  const form = event.target.closest("form[data-submit-on-pick]");
  if (form && event.target.matches("[data-picker-value]") && event.target.value) form.requestSubmit();
});
document.addEventListener("submit", function (event) {
  // Long requests (an Excel import checks and writes thousands of rows): the button says the
  // work is under way and cannot be pressed twice.
  const button = event.target.querySelector("button[data-busy]");
  if (!button || event.defaultPrevented) return;
  window.setTimeout(function () {
    button.disabled = true;
    button.innerHTML = '<span class="spinner-border spinner-border-sm" aria-hidden="true"></span> ';
    button.append(button.dataset.busy);
  }, 0);
});
