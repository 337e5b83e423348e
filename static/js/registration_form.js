// The registration form: autosave, a copy kept on this device, and the expected-results rows.
//
// What is typed is saved 1.5 s after typing stops and when a field loses focus; the answer
// carries the new version, written back into the hidden field so the next save is not
// refused as stale. Until the server has it, a copy stays in localStorage (keyed by the
// registration, holding the version it was typed on), so a lost connection or a closed tab
// loses nothing; on load the page offers to restore it. The form works without this script.
(function () {
  "use strict";

  const form = document.getElementById("registration-form");
  if (!form) return;

  const DELAY = 1500;
  const texts = form.dataset;
  const status = document.getElementById("autosave-status");
  const version = form.querySelector('input[name="version"]');
  const rowsBox = form.querySelector("[data-target-rows]");
  const addButton = form.querySelector("[data-target-add]");
  const storageKey = "dvk:registration:" + form.dataset.registrationId;
  // The page's own: a key or a version from an earlier page must never be restored into this one.
  const SKIP = new Set(["csrfmiddlewaretoken", "idempotency_key", "version", "action"]);

  let timer = null;
  let inFlight = null;
  let dirty = false; // typed since the last save started
  let pendingSubmit = null;

  function serialize() {
    const pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (!SKIP.has(name)) pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function show(text, kind) {
    status.textContent = text;
    status.dataset.state = kind;
  }

  // The copy on this device.

  function readLocal() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "null");
    } catch (e) {
      return null;
    }
  }

  function writeLocal() {
    try {
      window.localStorage.setItem(
        storageKey, JSON.stringify({ version: Number(version.value), at: Date.now(), fields: serialize() })
      );
    } catch (e) { /* storage full or disabled: the server copy is all there is */ }
  }

  function clearLocal() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  // Field errors from a refused autosave, shown under each field until the next success.

  function clearErrors() {
    form.querySelectorAll("[data-autosave-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".is-invalid[data-autosave-invalid]").forEach(function (el) {
      el.classList.remove("is-invalid");
      delete el.dataset.autosaveInvalid;
    });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (name) {
      const anchor = name === "targets" ? addButton : form.querySelector('[name="' + name + '"]');
      if (!anchor) return;
      if (name !== "targets") {
        anchor.classList.add("is-invalid");
        anchor.dataset.autosaveInvalid = "1";
      }
      const note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.dataset.autosaveError = "1";
      note.textContent = errors[name].join(" ");
      anchor.insertAdjacentElement(name === "targets" ? "beforebegin" : "afterend", note);
    });
  }

  // Saving.

  function schedule() {
    dirty = true;
    writeLocal();
    show(texts.textTyping, "typing");
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  }

  function save() {
    window.clearTimeout(timer);
    timer = null;
    if (inFlight || !dirty) return inFlight || Promise.resolve();
    dirty = false;
    const body = new FormData(form);
    body.delete("action");
    let saved = false;
    show(texts.textSaving, "saving");
    inFlight = window.fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(
          function (data) { return { ok: response.ok, data: data }; },
          // Not the autosave's answer (a login page after the session ended, a server error).
          function () { return { ok: false, data: { message: texts.textFailed, errors: {} } }; }
        );
      })
      .then(function (result) {
        saved = result.ok;
        if (result.ok) {
          version.value = result.data.version;
          clearErrors();
          if (dirty) {
            writeLocal(); // typed while the save was on its way: not saved yet
            show(texts.textTyping, "typing");
          } else if (result.data.complete === false) {
            writeLocal(); // a row of expected results is unfinished: only this device has it
            show(result.data.message, "partial");
          } else {
            clearLocal();
            show(result.data.message, "saved");
          }
        } else {
          dirty = true; // the local copy stays until a save goes through
          showErrors(result.data.errors);
          show(result.data.message, "error");
        }
      })
      .catch(function () {
        dirty = true;
        show(texts.textOffline, "error");
      })
      .finally(function () {
        inFlight = null;
        if (pendingSubmit) {
          const submitter = pendingSubmit;
          pendingSubmit = null;
          form.requestSubmit(submitter);
        } else if (dirty && saved && timer === null) {
          timer = window.setTimeout(save, DELAY);
        }
      });
    return inFlight;
  }

  form.addEventListener("input", schedule); // selects and date pickers fire it too
  form.addEventListener("focusout", function () {
    if (dirty) save();
  });
  window.addEventListener("online", function () {
    if (dirty) save();
  });

  // The buttons post the form as usual; one wait for a save on its way, whose new version
  // they must carry.
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    timer = null;
    if (inFlight) {
      event.preventDefault();
      pendingSubmit = event.submitter || null;
      return;
    }
    writeLocal();
  });

  // The expected results: add and remove rows.

  function rows() {
    return Array.from(rowsBox.querySelectorAll("[data-target-row]"));
  }

  function blankRow() {
    const row = rows()[0].cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.classList.remove("is-invalid");
    });
    row.querySelectorAll(".invalid-feedback").forEach(function (el) { el.parentElement.remove(); });
    return row;
  }

  function ensureRows(count) {
    while (rows().length < count) rowsBox.appendChild(blankRow());
  }

  addButton.hidden = false;
  rowsBox.querySelectorAll("[data-target-remove]").forEach(function (button) { button.hidden = false; });
  addButton.addEventListener("click", function () {
    const row = blankRow();
    rowsBox.appendChild(row);
    row.querySelector("input").focus();
  });
  rowsBox.addEventListener("click", function (event) {
    const button = event.target.closest("[data-target-remove]");
    if (!button) return;
    const row = button.closest("[data-target-row]");
    if (rows().length > 1) {
      row.remove();
    } else {
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    }
    schedule();
  });

  // Restoring the copy on this device.

  function apply(pairs) {
    const byName = {};
    pairs.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    ensureRows((byName.target_indicator || []).length);
    Object.keys(byName).forEach(function (name) {
      const fields = form.querySelectorAll('[name="' + name + '"]');
      fields.forEach(function (field, i) {
        field.value = i < byName[name].length ? byName[name][i] : "";
      });
    });
    form.querySelectorAll('[name^="target_"]').forEach(function (field) {
      if (!(field.name in byName)) field.value = "";
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  const local = readLocal();
  const banner = document.getElementById("local-copy");
  if (local && same(local.fields, serialize()) && local.version < Number(version.value)) {
    clearLocal(); // saved by the form's own button since: the server has it
  } else if (local && banner && !same(local.fields, serialize())) {
    const at = new Date(local.at);
    const time = at.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" }) + " " +
      at.toLocaleDateString("vi-VN");
    let text = texts.textLocal.replace("%s", time);
    if (local.version !== Number(version.value)) text += " " + texts.textLocalOlder;
    banner.querySelector("[data-local-copy-text]").textContent = text;
    banner.hidden = false;
    banner.querySelector("[data-local-restore]").addEventListener("click", function () {
      apply(local.fields);
      banner.hidden = true;
      schedule();
    });
    banner.querySelector("[data-local-discard]").addEventListener("click", function () {
      clearLocal();
      banner.hidden = true;
    });
  }
})();
