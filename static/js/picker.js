// Search pickers (dvk/pickers.py). The server renders the plain field (a textarea of codes,
// or one input) inside [data-picker]; this script shows the combobox beside it and hides the
// plain field, which it keeps in step with the chips. The form still posts the plain field,
// so the server checks exactly the values it would check without this script.
//
// ARIA 1.2 combobox with a listbox popup: typing searches through htmx (the input's hx-get),
// ↓/↑ move through the options, Enter picks, Escape closes, Backspace in the empty box removes
// the last chip. No inline script and no inline style: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function setup(root) {
    if (root.dataset.pickerReady) return;
    const plain = root.querySelector("[data-picker-value]");
    const plainBox = root.querySelector(".picker-plain");
    const box = root.querySelector(".picker-box");
    const input = root.querySelector(".picker-input");
    const listbox = root.querySelector("[role=listbox]");
    const chips = root.querySelector(".picker-chips");
    const status = root.querySelector("[data-picker-status]");
    const chipTemplate = root.querySelector("template[data-picker-chip]");
    if (!plain || !box || !input || !listbox || !chips || !chipTemplate || !window.htmx) return;
    root.dataset.pickerReady = "1";
    const multiple = root.dataset.multiple === "true";
    const minLength = parseInt(root.dataset.minLength || "2", 10);
    let active = -1;

    box.hidden = false;
    plainBox.hidden = true;
    // The field's label now names the search box (the plain field is hidden).
    document.querySelectorAll("label[for='" + plain.id + "']").forEach(function (label) {
      label.htmlFor = input.id;
      if (!label.id) label.id = input.id + "-label";
      listbox.setAttribute("aria-labelledby", label.id);
    });
    if (plain.getAttribute("aria-invalid") === "true") input.setAttribute("aria-invalid", "true");

    function values() {
      return Array.from(chips.querySelectorAll(".picker-chip")).map(function (chip) { return chip.dataset.value; });
    }
    function sync() {
      plain.value = values().join(multiple ? "\n" : "");
      plain.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function say(text) { status.textContent = text; }
    function allOptions() { return Array.from(listbox.querySelectorAll("[role=option]")); }
    function options() { return allOptions().filter(function (o) { return o.getAttribute("aria-disabled") !== "true"; }); }
    function isOpen() { return !listbox.hidden; }
    function open() {
      if (!allOptions().length) return;
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function setActive(index) {
      const items = options();
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
        item.classList.toggle("active", i === index);
      });
      active = index >= 0 && index < items.length ? index : -1;
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function close() {
      setActive(-1);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
    function clearResults() {
      close();
      listbox.replaceChildren();
    }
    function move(step) {
      const items = options();
      if (!items.length) return;
      open();
      let next = active + step;
      if (next < 0) next = items.length - 1;
      if (next >= items.length) next = 0;
      setActive(next);
    }
    function makeChip(value, label, context) {
      const chip = chipTemplate.content.firstElementChild.cloneNode(true);
      chip.dataset.value = value;
      chip.querySelector(".picker-chip-label").textContent = label;
      if (context) {
        const where = document.createElement("span");
        where.className = "picker-chip-context";
        where.textContent = context;
        chip.querySelector(".picker-chip-text").append(" ", where);
      }
      const button = chip.querySelector(".picker-chip-remove");
      button.setAttribute("aria-label", button.dataset.labelPrefix + " " + label);
      return chip;
    }
    function pick(option) {
      const value = option.dataset.value;
      if (values().indexOf(value) < 0) {
        if (!multiple) chips.replaceChildren();
        chips.append(makeChip(value, option.dataset.label, option.dataset.context));
        sync();
      }
      say(root.dataset.msgPicked + ": " + option.dataset.label);
      input.value = "";
      input.removeAttribute("aria-invalid");
      clearResults();
      input.focus();
    }
    function remove(chip) {
      const label = chip.querySelector(".picker-chip-label").textContent;
      chip.remove();
      sync();
      say(root.dataset.msgRemoved + ": " + label);
      input.focus();
    }
    function typed() { return input.value.trim(); }
    function search() {
      if (typed().length >= minLength) window.htmx.trigger(input, "picker:search");
    }

    input.addEventListener("keydown", function (event) {
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (options().length) {
            if (isOpen()) move(1); else { open(); setActive(0); }
          } else {
            search();
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (options().length) move(-1);
          break;
        case "Enter":
          // Text in the search box is never a value: Enter picks, it does not send the form
          // without what was being looked for.
          if (isOpen() && active >= 0) {
            event.preventDefault();
            pick(options()[active]);
          } else if (typed()) {
            event.preventDefault();
            if (options().length === 1) pick(options()[0]);
            else if (options().length) { open(); setActive(0); } else search();
          }
          break;
        case "Escape":
          if (isOpen()) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; }
          break;
        case "Backspace":
          if (!input.value && chips.lastElementChild) { event.preventDefault(); remove(chips.lastElementChild); }
          break;
        case "Tab":
          close();
          break;
      }
    });
    input.addEventListener("input", function () {
      if (typed().length < minLength) clearResults();
    });
    input.addEventListener("focus", function () { if (typed()) open(); });
    input.addEventListener("htmx:configRequest", function (event) {
      // The search box has no name (it must not be posted with the form): send its text as q.
      if (typed().length < minLength) { event.preventDefault(); clearResults(); return; }
      event.detail.parameters.q = typed();
    });
    root.addEventListener("htmx:afterSwap", function (event) {
      if (event.target !== listbox) return;
      const chosen = values();
      allOptions().forEach(function (item, i) {
        item.id = listbox.id + "-" + i;
        item.classList.toggle("picker-option-chosen", chosen.indexOf(item.dataset.value) >= 0);
      });
      setActive(-1);
      if (document.activeElement === input && typed()) open(); else close();
      const note = listbox.querySelector("[data-picker-note]");
      const count = options().length;
      say(count ? count + " " + root.dataset.msgCount + (note ? ". " + note.textContent : "") : note ? note.textContent : "");
    });
    // Pressing an option must not blur the box first (that would close the list under the finger).
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    listbox.addEventListener("click", function (event) {
      const option = event.target.closest("[role=option]");
      if (option && option.getAttribute("aria-disabled") !== "true") pick(option);
    });
    chips.addEventListener("click", function (event) {
      const button = event.target.closest(".picker-chip-remove");
      if (button) remove(button.closest(".picker-chip"));
    });
    root.addEventListener("focusout", function (event) {
      if (!root.contains(event.relatedTarget)) close();
    });
  }

  function setupAll(scope) {
    scope = scope || document;
    if (scope.matches && scope.matches("[data-picker]")) setup(scope);
    scope.querySelectorAll("[data-picker]").forEach(setup);
  }
  document.addEventListener("htmx:load", function (event) { setupAll(event.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { setupAll(); });
  else setupAll();
})();
