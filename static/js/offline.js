// The tablet's local data (issue 13, docs/OFFLINE.md), on every signed-in page: registers
// the service worker; keeps the member's dossiers for offline (DVKOffline.keepList); asks for
// persistent storage on the scoring pages; clears a user's data on sign-out (after syncing,
// or warning of what is unsent) and the data of users unused for `keep_days`.
//
// Everything is filed under the user's offline key (the dvk-user meta tag): caches
// `dvk-user-<key>`, IndexedDB `dvk-<key>`. A page with no tag (signed out) opens nothing.
(function () {
  "use strict";

  var tag = document.querySelector('meta[name="dvk-user"]');
  if (!tag || !/^[0-9a-f]{16}$/.test(tag.content)) return;

  var KEY = tag.content;
  var REGISTRY = "dvk-offline-users";
  var META = "dvk-meta";
  var META_USER = "/__dvk/user";
  var SIGNED_OUT = "/__dvk/signed-out/"; // + key: that user signed out here (see sw.js keep)
  var DAY_MS = 24 * 60 * 60 * 1000;
  var KEEP_DAYS = parseInt(tag.dataset.keepDays, 10) || 14;
  var CONCURRENCY = 4;
  // Chromium gives a private window a quota of about 100 MB; a normal profile has gigabytes.
  var PRIVATE_QUOTA = 120 * 1024 * 1024;
  var STRINGS = {};

  function userCache(key) {
    return "dvk-user-" + key;
  }

  function database(key) {
    return "dvk-" + key;
  }

  function t(key, values) {
    return DVK.fill(STRINGS[key] || key, values);
  }

  var h = DVK.h;

  function later(ms, value) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(value); }, ms); });
  }

  // --- the registry of users of this tablet -----------------------------------------------

  function readRegistry() {
    try {
      var data = JSON.parse(localStorage.getItem(REGISTRY) || "{}");
      return data && typeof data === "object" ? data : {};
    } catch (e) {
      return {};
    }
  }

  function writeRegistry(data) {
    try {
      localStorage.setItem(REGISTRY, JSON.stringify(data));
    } catch (e) { /* storage full or denied: expiry just waits */ }
  }

  function noteUse() {
    var data = readRegistry();
    data[KEY] = Date.now();
    writeRegistry(data);
  }

  function forget(key) {
    var data = readRegistry();
    delete data[key];
    writeRegistry(data);
    try { localStorage.removeItem("dvk-kept-" + key); } catch (e) { /* nothing kept */ }
  }

  // --- clearing ----------------------------------------------------------------------------

  // The worker answers offline from the cache of the user dvk-meta names: this page's user.
  function noteMetaUser() {
    if (!("caches" in window)) return Promise.resolve();
    return caches.open(META).then(function (meta) {
      return Promise.all([
        meta.put(META_USER, new Response(KEY, { headers: { "Content-Type": "text/plain" } })),
        meta.delete(SIGNED_OUT + KEY),
      ]);
    }).catch(function () {});
  }

  function clearCaches(key) {
    if (!("caches" in window)) return Promise.resolve();
    return Promise.all([
      caches.delete(userCache(key)),
      caches.open(META).then(function (meta) {
        // The worker keeps nothing more of this user until their next signed-in page.
        return meta.put(SIGNED_OUT + key, new Response("1")).then(function () {
          return meta.match(META_USER);
        }).then(function (entry) {
          return entry ? entry.text() : "";
        }).then(function (text) {
          if (text.trim() === key) return meta.delete(META_USER);
        });
      }),
    ]).catch(function () {});
  }

  // Opens a user's database only if it exists (opening a missing one would make it).
  function openExisting(key) {
    if (!window.idb || !window.indexedDB) return Promise.resolve(null);
    var made = false;
    return idb.openDB(database(key), undefined, {
      upgrade: function (db, oldVersion) { made = oldVersion === 0; },
    }).then(function (db) {
      if (!made) return db;
      db.close();
      return idb.deleteDB(database(key)).then(function () { return null; });
    }, function () { return null; });
  }

  // A database another tab holds open blocks its deletion until that tab lets go; sign-out
  // does not wait for it forever (the deletion goes on when the tab closes its connection).
  function deleteDatabase(key) {
    if (!window.idb) return Promise.resolve();
    return Promise.race([idb.deleteDB(database(key)).catch(function () {}), later(3000)]);
  }

  function unsentCount(key) {
    if (key === KEY && window.DVKOutbox && typeof DVKOutbox.count === "function") {
      return Promise.resolve(DVKOutbox.count()).catch(function () { return 0; });
    }
    return openExisting(key).then(function (db) {
      if (!db) return 0;
      var count = db.objectStoreNames.contains("outbox") ? db.count("outbox") : Promise.resolve(0);
      return count.then(function (n) { db.close(); return n; }, function () { db.close(); return 0; });
    });
  }

  // Everything of one user on this tablet: their caches, database and registry entry.
  function clearUser(key) {
    if (key === KEY && window.DVKOutbox && typeof DVKOutbox.close === "function") {
      try { DVKOutbox.close(); } catch (e) { /* it is going anyway */ }
    }
    return Promise.all([clearCaches(key), deleteDatabase(key)]).then(function () { forget(key); });
  }

  // A user unused for keep_days: their caches, notices and sync state go; an outbox item not
  // yet sent is someone's unsent work and stays (the database goes only when its outbox is empty).
  function expireUser(key) {
    return clearCaches(key).then(function () {
      return openExisting(key);
    }).then(function (db) {
      if (!db) return;
      var names = Array.prototype.slice.call(db.objectStoreNames);
      var count = names.indexOf("outbox") >= 0 ? db.count("outbox") : Promise.resolve(0);
      return count.then(function (n) {
        if (!n) {
          db.close();
          return deleteDatabase(key);
        }
        var cleared = names.filter(function (name) { return name === "notices" || name === "state"; });
        return Promise.all(cleared.map(function (name) { return db.clear(name); })).then(function () { db.close(); });
      });
    }).then(function () { forget(key); }).catch(function () {});
  }

  function expireOthers() {
    var data = readRegistry();
    var now = Date.now();
    var due = Object.keys(data).filter(function (key) {
      return key !== KEY && !(now - Number(data[key]) < KEEP_DAYS * DAY_MS);
    });
    // A user's cache with no registry entry (the site's local storage was cleared without
    // its caches): nothing says when it was last used, so it goes as an expired one.
    var unlisted = !("caches" in window) ? Promise.resolve([]) : caches.keys().then(function (names) {
      return names.map(function (name) { return name.slice(userCache("").length); }).filter(function (key, i) {
        return names[i].indexOf(userCache("")) === 0 && /^[0-9a-f]{16}$/.test(key) && key !== KEY && !(key in data);
      });
    }, function () { return []; });
    return unlisted.then(function (orphans) { return Promise.all(due.concat(orphans).map(expireUser)); });
  }

  // --- sign-out: sync first, warn of what is unsent, then clear ----------------------------

  function signOutForms() {
    var box = document.getElementById("offline-strings");
    var url = box && box.dataset.logoutUrl;
    if (!url) return [];
    return Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return new URL(form.action, location.href).pathname === url;
    });
  }

  function askAboutUnsent(count) {
    return new Promise(function (resolve) {
      var dialog;
      function choose(answer) {
        return function () {
          if (answer === "export") {
            Promise.resolve(window.DVKOutbox && DVKOutbox.exportFile && DVKOutbox.exportFile()).catch(function () {});
            return;
          }
          dialog.close();
          dialog.remove();
          resolve(answer);
        };
      }
      var buttons = [];
      if (window.DVKOutbox && typeof DVKOutbox.exportFile === "function") {
        buttons.push(h("button", { type: "button", class: "btn btn-primary scoring-touch", id: "offline-signout-export", onclick: choose("export") }, [t("signout_export")]));
      }
      buttons.push(
        h("button", { type: "button", class: "btn btn-outline-secondary scoring-touch", id: "offline-signout-stay", onclick: choose("stay") }, [t("signout_stay")]),
        h("button", { type: "button", class: "btn btn-danger scoring-touch", id: "offline-signout-anyway", onclick: choose("anyway") }, [t("signout_anyway")])
      );
      dialog = h("dialog", { class: "scoring-dialog", id: "offline-signout", "aria-labelledby": "offline-signout-title" }, [
        h("h2", { class: "h5", id: "offline-signout-title" }, [t("signout_title")]),
        h("p", { id: "offline-signout-count" }, [t("signout_unsent", { count: count })]),
        h("div", { class: "d-flex flex-wrap gap-2 justify-content-end" }, buttons),
      ]);
      dialog.addEventListener("cancel", function (event) { event.preventDefault(); choose("stay")(); });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  function signOut(form) {
    var outbox = window.DVKOutbox;
    var synced = outbox && typeof outbox.syncNow === "function"
      ? Promise.race([Promise.resolve(outbox.syncNow()).catch(function () {}), later(20000)])
      : Promise.resolve();
    return synced.then(stopKeeping).then(function () {
      return unsentCount(KEY);
    }).then(function (count) {
      return count > 0 ? askAboutUnsent(count) : "anyway";
    }).then(function (answer) {
      if (answer !== "anyway") {
        stopped = false;
        return;
      }
      return clearUser(KEY).then(function () {
        form.dataset.offlineCleared = "1";
        form.submit();
      });
    });
  }

  function watchSignOut() {
    signOutForms().forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.offlineCleared) return;
        event.preventDefault();
        if (form.dataset.offlineBusy) return;
        form.dataset.offlineBusy = "1";
        signOut(form).then(
          function () { delete form.dataset.offlineBusy; },
          function () { delete form.dataset.offlineBusy; }
        );
      });
    });
  }

  // --- the service worker and keeping the member's dossiers --------------------------------

  function registerWorker() {
    if (!tag.dataset.serviceWorker || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register(tag.dataset.serviceWorker, { scope: "/" }).catch(function () {});
  }

  // The worker keeps what goes through it: wait until it controls this page (on the first
  // visit it takes control once it has installed).
  function controlled() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return Promise.resolve(false);
    if (navigator.serviceWorker.controller) return Promise.resolve(true);
    return Promise.race([
      new Promise(function (resolve) {
        navigator.serviceWorker.addEventListener("controllerchange", function () { resolve(true); });
      }),
      later(15000, false),
    ]).then(function () { return !!navigator.serviceWorker.controller; });
  }

  function fetched(url, json) {
    return fetch(url, { credentials: "same-origin", headers: json ? { Accept: "application/json" } : {} }).then(
      function (response) {
        if (!json) return response.blob().then(function () { return null; });
        return response.ok ? response.json().catch(function () { return null; }) : null;
      },
      function () { return null; }
    );
  }

  // Runs task functions (each returns a promise, and may add tasks) `CONCURRENCY` at a time.
  function runAll(tasks) {
    return new Promise(function (resolve) {
      var running = 0;
      function next() {
        while (running < CONCURRENCY && tasks.length) {
          running += 1;
          Promise.resolve().then(tasks.shift()).catch(function () {}).then(function () {
            running -= 1;
            next();
          });
        }
        if (!running && !tasks.length) resolve();
      }
      next();
    });
  }

  var keeping = null;

  // What keepList last fetched of each assignment: `{id: [entry, scorecard, time]}`, from the
  // list's own entry (its state, evidence... and its scorecard's version and total). What is
  // unchanged and was kept less than a day ago is not fetched again, so the list read after
  // each sync costs a request per scorecard sent, not three per assignment.
  var KEPT = "dvk-kept-" + KEY;

  function readKept() {
    try { return JSON.parse(localStorage.getItem(KEPT) || "{}") || {}; } catch (e) { return {}; }
  }

  function writeKept(data) {
    try { localStorage.setItem(KEPT, JSON.stringify(data)); } catch (e) { /* full: fetched again next time */ }
  }

  // A write of this tablet reached the server (a photo, which the list entry does not show):
  // that assignment's scorecard is read again.
  function forgetKept(assignment) {
    var data = readKept();
    if (!data[assignment]) return;
    data[assignment][1] = null;
    writeKept(data);
  }

  var stopped = false; // signing out: no more fetches into the cache being cleared
  var waitingList = null; // a list that came while a keep was running: kept after it

  // After the member's list loaded online: the list (this page and its API read) and, for
  // each assignment, its page, its API read, its scorecard (with the rubric) and the
  // thumbnails of its evidence and photos, fetched through the worker, which keeps them.
  // where = {pages: assignment page prefix, api: the scoring API root, list: the list's API URL}.
  function keepList(data, where) {
    if (stopped) return Promise.resolve();
    if (keeping) {
      waitingList = [data, where];
      return keeping;
    }
    var items = (data && data.results) || [];
    keeping = controlled().then(function (ok) {
      if (!ok || !("caches" in window)) return;
      return caches.open(userCache(KEY)).then(function (cache) {
        var tasks = [];
        var before = readKept();
        var after = {};
        var now = Date.now();
        function fetchedUnlessStopped(url, json) {
          return stopped ? Promise.resolve(null) : fetched(url, json);
        }
        // A thumbnail's address names one stored image: kept once, never fetched again.
        function thumbnail(url) {
          if (!url) return;
          tasks.push(function () {
            return cache.match(url, { ignoreVary: true }).then(function (hit) { return hit || fetchedUnlessStopped(url, false); });
          });
        }
        // The page may have loaded before the worker controlled it: fetched again through it.
        tasks.push(function () { return fetchedUnlessStopped(location.pathname + location.search, false); });
        if (where.list) tasks.push(function () { return fetchedUnlessStopped(where.list, true); });
        items.forEach(function (item) {
          var api = where.api + "assignments/" + item.id + "/";
          var page = where.pages + item.id + "/";
          var card = api + "scorecard/";
          // The scorecard changes on its own (every sync that sends one): only its read is
          // fetched again then; the page and the dossier when the rest of the entry changes.
          var signature = [JSON.stringify(Object.assign({}, item, { scorecard: null })), JSON.stringify(item.scorecard)];
          var last = before[item.id];
          var recent = last && now - last[2] < DAY_MS;
          tasks.push(function () {
            return Promise.all([page, api, card].map(function (url) { return cache.match(url, { ignoreVary: true }); })).then(function (hits) {
              var dossierKept = recent && last[0] === signature[0] && hits[0] && hits[1];
              var cardKept = recent && last[1] === signature[1] && hits[2];
              var reads = [];
              if (!dossierKept) {
                reads.push(fetchedUnlessStopped(page, false));
                reads.push(fetchedUnlessStopped(api, true).then(function (detail) {
                  ((detail || item).evidence || []).forEach(function (file) { thumbnail(file.thumbnail_url); });
                }));
              }
              if (!cardKept) {
                reads.push(fetchedUnlessStopped(card, true).then(function (body) {
                  ((body && body.photos) || []).forEach(function (photo) { thumbnail(photo.thumbnail_url); });
                }));
              }
              return Promise.all(reads).then(function () {
                if (!stopped) after[item.id] = [signature[0], signature[1], dossierKept && cardKept ? last[2] : now];
              });
            });
          });
        });
        return runAll(tasks).then(function () { writeKept(after); });
      });
    }).catch(function () {}).then(function () {
      document.documentElement.dataset.offlineKept = String(items.length);
      keeping = null;
      var next = waitingList;
      waitingList = null;
      if (next) return keepList(next[0], next[1]);
    });
    return keeping;
  }

  // Sign-out clears the cache: what keepList has in flight is let finish (the worker writes
  // each answer into the cache before the page gets it), and nothing more is started.
  function stopKeeping() {
    stopped = true;
    waitingList = null;
    return Promise.race([keeping || Promise.resolve(), later(5000)]);
  }

  // --- persistent storage ------------------------------------------------------------------

  function storageNote() {
    if (!document.querySelector("#scoring-list, #scoring-assignment, #outbox-page")) return;
    if (!navigator.storage || !navigator.storage.persist) return;
    var storage = navigator.storage;
    Promise.resolve(storage.persisted ? storage.persisted() : false)
      .then(function (already) { return already || storage.persist(); })
      .then(function (persisted) {
        return (storage.estimate ? storage.estimate() : Promise.resolve({})).then(function (estimate) {
          var tiny = estimate && estimate.quota && estimate.quota < PRIVATE_QUOTA;
          if (persisted && !tiny) return;
          var note = document.getElementById("offline-storage-note");
          if (!note) {
            note = h("div", { id: "offline-storage-note", class: "alert alert-warning", role: "status" });
            var main = document.querySelector("main");
            if (!main) return;
            main.prepend(note);
          }
          note.dataset.reason = tiny ? "private" : "refused";
          note.textContent = t(tiny ? "storage_private" : "storage_refused");
          note.hidden = false;
        });
      })
      .catch(function () {});
  }

  // --- start -------------------------------------------------------------------------------

  function init() {
    document.querySelectorAll("#offline-strings [data-key]").forEach(function (node) {
      STRINGS[node.dataset.key] = node.textContent.trim();
    });
    noteUse();
    registerWorker();
    DVKOffline.ready = Promise.all([noteMetaUser(), expireOthers()]).then(function () {
      document.documentElement.dataset.offlineReady = "1";
    });
    watchSignOut();
    storageNote();
    if (window.DVKOutbox) {
      DVKOutbox.subscribe(function (event) {
        if (event.type === "result" && event.item) forgetKept(event.item.assignment);
      });
    }
  }

  window.DVKOffline = {
    key: KEY,
    keepList: keepList,
    kept: function () { return keeping || Promise.resolve(); },
    clearUser: clearUser,
    unsentCount: unsentCount,
    ready: null,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
