// The tablet's outbox (issue 13): writes made on this device, kept in IndexedDB until the
// server has them, then sent once (each under its own Idempotency-Key) and pulled back (what
// changed on the member's assignments). See docs/OFFLINE.md for the contract: the stores,
// the items, their states, the order, the rebasing and the export file.
//
// window.DVKOutbox (none when the page has no `dvk-user` meta tag: no one is signed in):
//   add(item) → the stored item; list(); count(); remove(id) (refused while sending);
//   syncNow() → {sent, left}; subscribe(fn) → unsubscribe; resolveConflict(id, "mine"|"theirs");
//   exportFile(userName); importFile(file) → {added, skipped}; registerApi(org, apiRoot);
//   notices(); dismissNotice(id); preparePhoto(file) → {blob, name, type} (resized here).
// The pages (static/js/scoring.js) draw everything; this file holds no UI text: errors
// carry a `code` the page translates.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="dvk-user"]');
  if (!meta || !meta.content || !window.idb) return;
  var USER = meta.content;
  var DB_NAME = "dvk-" + USER;
  var BATCH_MAX = 100;
  var KEY_RE = /^[A-Za-z0-9_-]{8,100}$/;
  var NAME_RE = /^[A-Za-z0-9._-]{1,80}$/;
  var KINDS = ["scorecard", "photo", "photo_delete"];

  // Stores as docs/OFFLINE.md names them; offline.js opens the same database (version 1).
  var dbPromise = idb.openDB(DB_NAME, 1, {
    upgrade: function (db) {
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
      if (!db.objectStoreNames.contains("state")) db.createObjectStore("state", { keyPath: "name" });
      if (!db.objectStoreNames.contains("notices")) db.createObjectStore("notices", { keyPath: "id", autoIncrement: true });
    },
    // Signing out deletes this database (offline.js clearUser); an open connection would
    // block that until the tab closes, so this tab lets go at once.
    blocking: function () { close(); },
  });

  // After closing, the page is leaving with its user's data deleted: what it still asks of
  // the store waits forever rather than fail on a closed connection.
  function close() {
    var open = dbPromise;
    dbPromise = new Promise(function () {});
    return open.then(function (db) { db.close(); });
  }

  // --- events: this tab's listeners, and the other tabs of the same user --------------------

  var listeners = [];
  var channel = window.BroadcastChannel ? new BroadcastChannel("dvk-outbox-" + USER) : null;

  function emit(event, fromOtherTab) {
    listeners.slice().forEach(function (fn) {
      try { fn(event); } catch (error) { setTimeout(function () { throw error; }); }
    });
    // The other tabs of this user hear of changes and results (a result's item without its
    // photo); they re-read the store themselves.
    if (!channel || fromOtherTab || ["items", "notices", "result", "pulled", "sync-end"].indexOf(event.type) < 0) return;
    var copy = Object.assign({}, event);
    if (copy.item) copy.item = Object.assign({}, copy.item, { blob: null });
    channel.postMessage(copy);
  }
  if (channel) channel.onmessage = function (message) { emit(Object.assign({}, message.data, { remote: true }), true); };

  function subscribe(fn) {
    listeners.push(fn);
    return function () { listeners = listeners.filter(function (other) { return other !== fn; }); };
  }

  // --- small helpers ----------------------------------------------------------------------

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context; a tablet on the office network over plain HTTP
    // still gets a random key.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  // Read at send time, not from the page that queued the write: signing in rotates it.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function apiRoot(org) {
    return "/api/v1/o/" + encodeURIComponent(org) + "/appraisal/";
  }

  function assignmentUrl(org, assignment) {
    return "/o/" + encodeURIComponent(org) + "/appraisal/scoring/" + assignment + "/";
  }

  function same(a, b) {
    return a.org === b.org && String(a.assignment) === String(b.assignment);
  }

  // {status, body}; status 0 when no answer came (offline, timeout, refused route).
  function send(url, options) {
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (options.method !== "GET") headers["X-CSRFToken"] = csrfToken();
    var body = options.body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    return fetch(url, { method: options.method, headers: headers, body: body, credentials: "same-origin", cache: "no-store" }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        var read = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
        return read.then(
          function (data) { return { status: response.status, body: data, user: response.headers.get("X-DVK-User") }; },
          function () { return { status: response.status, body: null, user: response.headers.get("X-DVK-User") }; }
        );
      },
      function () { return { status: 0, body: null }; }
    );
  }

  // The session ended (401), or its CSRF token no longer matches (403 csrf; DRF's own
  // answer before the API's handler says "CSRF Failed: ..."): sign in again, nothing failed.
  function needsSignIn(answer) {
    if (answer.status === 401) return true;
    // Signed in as someone else in this browser now: this user's items are not theirs to send.
    if (answer.user && answer.user !== USER) return true;
    if (answer.status !== 403 || !answer.body) return false;
    return answer.body.code === "csrf" || /^CSRF Failed/.test(answer.body.detail || "");
  }

  function noAnswer(answer) {
    return answer.status === 0 || answer.status >= 500;
  }

  function reason(answer) {
    var body = answer.body || {};
    var parts = [];
    if (body.detail) parts.push(body.detail);
    Object.keys(body.fields || {}).forEach(function (name) {
      [].concat(body.fields[name]).forEach(function (message) { if (parts.indexOf(message) < 0) parts.push(message); });
    });
    return parts.join(" ") || "HTTP " + answer.status;
  }

  // --- the store ----------------------------------------------------------------------------

  function list() {
    return dbPromise.then(function (db) { return db.getAll("outbox"); });
  }

  function count() {
    return dbPromise.then(function (db) { return db.count("outbox"); });
  }

  function get(id) {
    return dbPromise.then(function (db) { return db.get("outbox", id); });
  }

  function readState(name) {
    return dbPromise.then(function (db) { return db.get("state", name); }).then(function (row) { return row ? row.value : undefined; });
  }

  function writeState(name, value) {
    return dbPromise.then(function (db) { return db.put("state", { name: name, value: value }); });
  }

  // Changes one item inside a transaction: `change(item)` returns the item to store, or null
  // to delete it, or undefined to leave it. Resolves what was stored (or null).
  function update(id, change) {
    return dbPromise.then(function (db) {
      var tx = db.transaction("outbox", "readwrite");
      return tx.store.get(id).then(function (item) {
        if (!item) return tx.done.then(function () { return null; });
        var next = change(item);
        var op = next === null ? tx.store.delete(id) : next === undefined ? Promise.resolve() : tx.store.put(next);
        return op.then(function () { return tx.done; }).then(function () { return next === undefined ? item : next; });
      });
    });
  }

  function complete(item, fields) {
    return Object.assign(
      { state: "waiting", error: "", attempts: 0, created_at: new Date().toISOString(), key: newKey(), label: "" },
      item,
      fields || {}
    );
  }

  // Queues a write. A scorecard save replaces the body (and key) of the same assignment's
  // last scorecard item if that one was never sent (nor imported: it may have reached the
  // server from another tablet), and drops earlier refused ones (the member is correcting
  // them); otherwise it joins the end. Then the page asks for a sync.
  function add(item) {
    if (KINDS.indexOf(item.kind) < 0) return Promise.reject(new Error("kind"));
    item = complete(item, { api: item.api || apiRoot(item.org) });
    return dbPromise.then(function (db) {
      var tx = db.transaction("outbox", "readwrite");
      return tx.store.getAll().then(function (all) {
        var ops = [];
        var stored = null;
        if (item.kind === "scorecard") {
          var cards = all.filter(function (other) { return other.kind === "scorecard" && same(other, item); });
          cards.forEach(function (other) {
            if (other.state === "refused") ops.push(tx.store.delete(other.id));
          });
          var last = cards.filter(function (other) { return other.state !== "refused"; }).pop();
          if (last && last.attempts === 0 && !last.imported && last.state === "waiting") {
            stored = Object.assign({}, last, { body: item.body, key: item.key, label: item.label || last.label, created_at: item.created_at });
            ops.push(tx.store.put(stored));
          }
        }
        if (!stored) {
          var fresh = Object.assign({}, item);
          delete fresh.id;
          ops.push(tx.store.add(fresh).then(function (id) { fresh.id = id; }));
          stored = fresh;
        }
        return Promise.all(ops).then(function () { return tx.done; }).then(function () { return stored; });
      });
    }).then(function (stored) {
      emit({ type: "items" });
      return stored;
    });
  }

  // An item being sent may reach the server: it cannot be deleted then.
  function remove(id) {
    var refused = false;
    return update(id, function (item) {
      if (item.state === "sending") { refused = true; return undefined; }
      return null;
    }).then(function () {
      if (refused) throw Object.assign(new Error("sending"), { code: "sending" });
      emit({ type: "items" });
    });
  }

  // "mine": the same content, based on the server's version, as a new write (new key);
  // "theirs": the local copy is dropped, with the later scorecard saves of the same
  // assignment made on top of it (they hold the version the member has just rejected).
  function resolveConflict(id, choice) {
    return get(id).then(function (item) {
      if (!item || item.state !== "conflict") return null;
      if (choice === "mine") {
        return update(id, function (it) {
          var version = it.current ? it.current.version : it.body.version;
          return Object.assign({}, it, { body: Object.assign({}, it.body, { version: version }), key: newKey(), state: "waiting", error: "", current: null, attempts: 0 });
        }).then(function (stored) {
          emit({ type: "items" });
          syncNow();
          return stored;
        });
      }
      return list().then(function (all) {
        var drop = all.filter(function (other) {
          return other.id === id || (other.kind === "scorecard" && other.id > id && same(other, item) && other.state !== "sending" && other.body.version === item.body.version);
        });
        return dbPromise.then(function (db) {
          var tx = db.transaction("outbox", "readwrite");
          return Promise.all(drop.map(function (other) { return tx.store.delete(other.id); })).then(function () { return tx.done; });
        });
      }).then(function () {
        emit({ type: "items" });
        return item.current || null;
      });
    });
  }

  // --- sync ---------------------------------------------------------------------------------

  var running = null;
  var again = false;
  var signedOut = false;
  var offlineNow = false; // the identity check before a push got no answer

  // One sync at a time in this tab; another tab of the same user waits on the lock (Web
  // Locks where the browser has them), so no item is sent twice at once.
  function syncNow() {
    if (running) {
      again = true;
      return running;
    }
    var run = function () { return push().then(pull); };
    var locked = navigator.locks && navigator.locks.request
      ? function () { return navigator.locks.request(DB_NAME + "-sync", run); }
      : run;
    emit({ type: "sync-start" });
    running = locked().then(finish, function (error) {
      return finish({ sent: 0, error: error });
    });
    return running;
  }

  function finish(report) {
    return count().then(function (left) {
      running = null;
      var result = { sent: (report && report.sent) || 0, left: left };
      writeState("last_sync", new Date().toISOString());
      emit({ type: "sync-end", sent: result.sent, left: left, signin: signedOut, offline: !!(report && report.offline) });
      if (again) {
        again = false;
        return syncNow().then(function (next) { return { sent: result.sent + next.sent, left: next.left }; });
      }
      return result;
    });
  }


  function settle(item, answer) {
    var status = answer.status;
    if (noAnswer(answer)) return update(item.id, function (it) { return Object.assign({}, it, { state: "waiting" }); });
    if (needsSignIn(answer)) {
      signedOut = true;
      return update(item.id, function (it) { return Object.assign({}, it, { state: "signin", error: "" }); });
    }
    var ok = status >= 200 && status < 300;
    if (ok || (item.kind === "photo_delete" && status === 404)) return settleDone([[item, answer]]);
    if (item.kind === "scorecard" && status === 409 && answer.body && answer.body.code === "stale" && answer.body.current) {
      return update(item.id, function (it) { return Object.assign({}, it, { state: "conflict", current: answer.body.current, error: answer.body.detail || "" }); });
    }
    return update(item.id, function (it) { return Object.assign({}, it, { state: "refused", error: reason(answer), status: status, fields: (answer.body && answer.body.fields) || null }); });
  }

  function isDone(item, answer) {
    return (answer.status >= 200 && answer.status < 300) || (item.kind === "photo_delete" && answer.status === 404);
  }

  // Marks the heads of a round as being sent, in one transaction (each read again inside it:
  // the body sent is the one stored at that moment), and counts the attempt.
  function claimAll(ids) {
    return dbPromise.then(function (db) {
      var tx = db.transaction("outbox", "readwrite");
      var claimed = [];
      return Promise.all(ids.map(function (id) {
        return tx.store.get(id).then(function (item) {
          if (!item || item.state !== "waiting") return;
          var next = Object.assign({}, item, { state: "sending", attempts: (item.attempts || 0) + 1 });
          claimed.push(next);
          return tx.store.put(next);
        });
      })).then(function () { return tx.done; }).then(function () { return claimed; });
    });
  }

  // Items the server has: each rebases the later scorecard saves of its assignment (made here
  // on top of the version it was based on: now on its new one), then goes; all in
  // one transaction (a batch of 50 answers is one write, not a hundred).
  function settleDone(pairs) {
    if (!pairs.length) return Promise.resolve();
    return dbPromise.then(function (db) {
      var tx = db.transaction("outbox", "readwrite");
      return tx.store.getAll().then(function (all) {
        var byId = {};
        all.forEach(function (item) { byId[item.id] = item; });
        var changed = {};
        pairs.forEach(function (pair) {
          var step = rebaseStep(pair[0], pair[1]);
          if (!step) return;
          all.forEach(function (other) {
            if (other.id > pair[0].id && other.kind === "scorecard" && same(other, pair[0]) && other.state !== "sending" && byId[other.id].body.version === step[0]) {
              byId[other.id] = Object.assign({}, byId[other.id], { body: Object.assign({}, byId[other.id].body, { version: step[1] }) });
              changed[other.id] = true;
            }
          });
        });
        var gone = {};
        var ops = pairs.map(function (pair) { gone[pair[0].id] = true; return tx.store.delete(pair[0].id); });
        Object.keys(changed).forEach(function (id) { if (!gone[id]) ops.push(tx.store.put(byId[id])); });
        return Promise.all(ops).then(function () { return tx.done; });
      });
    });
  }

  // [from, to]: the version later saves move from and to after this item's success, or null.
  function rebaseStep(item, answer) {
    var body = answer.body || {};
    if (item.kind === "scorecard" && body.version != null && body.version !== item.body.version) return [item.body.version, body.version];
    if (item.kind === "photo" && item.base_version === 0 && body.scorecard_version === 1) return [0, 1]; // this photo made the card
    return null;
  }

  function sendOne(item) {
    var headers = { "Idempotency-Key": item.key };
    var base = item.api + "assignments/" + item.assignment + "/";
    if (item.kind === "photo") {
      var data = new FormData();
      data.append("file", item.blob, item.name);
      return send(base + "photos/", { method: "POST", body: data, headers: headers });
    }
    return send(base + "photos/" + item.photo + "/", { method: "DELETE", headers: headers });
  }

  // Scorecard items of one organisation in one batch, each under its own key; the batch's
  // own failure is each item's.
  function sendBatch(api, items) {
    var payload = items.map(function (item) {
      return Object.assign({ key: item.key, assignment: Number(item.assignment) }, item.body);
    });
    return send(api + "batch/", { method: "POST", json: { items: payload } }).then(function (answer) {
      if (answer.status !== 200 || !answer.body || !answer.body.results) return items.map(function () { return answer; });
      var byKey = {};
      answer.body.results.forEach(function (result) { byKey[result.key] = { status: result.status, body: result.body }; });
      return items.map(function (item) { return byKey[item.key] || { status: 0, body: null }; });
    });
  }

  function all0() {
    return list().then(function (all) { return all[0]; });
  }

  // Before anything is sent: whose session this is. No answer: offline, nothing sent; the
  // session ended or is another user's: every item waits for this user to sign in again.
  function whoAmI(first) {
    return first.then(function (item) {
      var root = item.api.split("/o/")[0] + "/me/";
      return send(root, { method: "GET" });
    }).then(function (answer) {
      if (answer.status === 0) {
        offlineNow = true;
        return;
      }
      // /me/ asks only for a signed-in user: a 403 there is a session still waiting for its
      // second factor (the API refuses it until then), so sign-in too.
      if (!needsSignIn(answer) && answer.status !== 403) return;
      signedOut = true;
      return list().then(function (all) {
        return Promise.all(all.filter(function (item) { return item.state === "waiting"; }).map(function (item) {
          return update(item.id, function (it) { return Object.assign({}, it, { state: "signin" }); });
        }));
      }).then(function () {
        emit({ type: "items" });
        emit({ type: "signin" });
      });
    });
  }

  // Rounds: the first unfinished item of each assignment is its head; the heads are sent
  // (scorecards batched per organisation), then the next round takes the next heads. An
  // assignment whose head is refused, in conflict or got no answer waits for the next sync.
  function push() {
    var sent = 0;
    var stuck = {};
    var offline = false;
    signedOut = false;
    offlineNow = false;
    return list().then(function (all) {
      // Nothing is being sent now (this tab holds the lock): an item left "sending" by a
      // closed page goes again; "signin" items go again now that the session may be back.
      var ops = all.filter(function (item) { return item.state === "sending" || item.state === "signin"; }).map(function (item) {
        return update(item.id, function (it) { return Object.assign({}, it, { state: "waiting" }); });
      });
      return Promise.all(ops);
    }).then(function () {
      return count().then(function (n) { return n ? whoAmI(all0()) : null; });
    }).then(function round() {
      if (offlineNow) offline = true;
      if (offline || signedOut) return;
      return list().then(function (all) {
        var heads = [];
        var seen = {};
        all.sort(function (a, b) { return a.id - b.id; }).forEach(function (item) {
          var group = item.org + "/" + item.assignment;
          if (seen[group]) return;
          seen[group] = true;
          if (item.state === "waiting" && !stuck[group]) heads.push(item);
        });
        if (!heads.length) return;
        return claimAll(heads.map(function (item) { return item.id; })).then(function (claimed) {
          claimed = claimed.filter(Boolean);
          if (!claimed.length) return;
          emit({ type: "items" });
          var batches = {};
          var singles = [];
          claimed.forEach(function (item) {
            if (item.kind === "scorecard") (batches[item.api] = batches[item.api] || []).push(item);
            else singles.push(item);
          });
          var jobs = [];
          Object.keys(batches).forEach(function (api) {
            for (var i = 0; i < batches[api].length; i += BATCH_MAX) {
              var chunk = batches[api].slice(i, i + BATCH_MAX);
              jobs.push(sendBatch(api, chunk).then(function (chunk, answers) {
                return chunk.map(function (item, n) { return [item, answers[n]]; });
              }.bind(null, chunk)));
            }
          });
          singles.forEach(function (item) {
            jobs.push(sendOne(item).then(function (answer) { return [[item, answer]]; }));
          });
          return Promise.all(jobs).then(function (groups) {
            var pairs = [].concat.apply([], groups);
            var done = pairs.filter(function (pair) { return isDone(pair[0], pair[1]); });
            var rest = pairs.filter(function (pair) { return !isDone(pair[0], pair[1]); });
            rest.forEach(function (pair) {
              if (pair[1].status === 0) offline = true;
              stuck[pair[0].org + "/" + pair[0].assignment] = true;
            });
            // The answered ones in one transaction (rebased and deleted), the others one by one.
            return Promise.all([settleDone(done)].concat(rest.map(function (pair) { return settle(pair[0], pair[1]); }))).then(function () {
              sent += done.length;
              pairs.forEach(function (pair) {
                emit({ type: "result", item: pair[0], status: pair[1].status, body: pair[1].body });
              });
            });
          }).then(function () {
            emit({ type: "items" });
            if (signedOut) emit({ type: "signin" });
            return round();
          });
        });
      });
    }).then(function () { return { sent: sent, offline: offline }; });
  }

  // --- pull: what changed on the member's assignments ---------------------------------------

  function registerApi(org, root) {
    if (!org || !root) return Promise.resolve();
    return readState("apis").then(function (apis) {
      apis = apis || {};
      if (apis[org] === root) return;
      apis[org] = root;
      return writeState("apis", apis);
    });
  }

  // After the push, per organisation: the feed since the stored cursor, followed while it
  // says `more`. The first read on this tablet only sets the cursor (what happened before the
  // tablet knew the member is in the pages already, not news).
  function pull(report) {
    if (report.offline || signedOut) return report;
    return readState("apis").then(function (apis) {
      apis = apis || {};
      var added = 0;
      return Object.keys(apis).reduce(function (chain, org) {
        return chain.then(function () {
          return pullOrg(org, apis[org]).then(function (n) { added += n; });
        });
      }, Promise.resolve()).then(function () {
        if (added) emit({ type: "notices", added: added });
        emit({ type: "pulled", added: added });
        return report;
      });
    }, function () { return report; });
  }

  function pullOrg(org, root) {
    var name = "cursor:" + org;
    return readState(name).then(function (cursor) {
      var first = cursor === undefined;
      var added = 0;
      function page(since) {
        return send(root + "changes/?since=" + encodeURIComponent(since || 0), { method: "GET" }).then(function (answer) {
          if (needsSignIn(answer)) {
            signedOut = true;
            emit({ type: "signin" });
            return;
          }
          if (answer.status !== 200 || !answer.body) return;
          var data = answer.body;
          var notices = first ? [] : (data.changes || []).map(function (change) {
            return { at: change.at, org: org, kind: change.kind, assignment: change.assignment, registration: change.registration, board: change.board, detail: change.detail || "", seen: false };
          });
          return dbPromise.then(function (db) {
            var tx = db.transaction(["notices", "state"], "readwrite");
            notices.forEach(function (notice) { tx.objectStore("notices").add(notice); });
            tx.objectStore("state").put({ name: name, value: data.cursor });
            return tx.done;
          }).then(function () {
            added += notices.length;
            if (data.more && data.cursor !== since) return page(data.cursor);
          });
        });
      }
      return page(cursor || 0).then(function () { return added; });
    });
  }

  function notices() {
    return dbPromise.then(function (db) { return db.getAll("notices"); }).then(function (all) {
      return all.filter(function (notice) { return !notice.seen; });
    });
  }

  function dismissNotice(id) {
    return dbPromise.then(function (db) {
      var tx = db.transaction("notices", "readwrite");
      return tx.store.get(id).then(function (notice) {
        if (notice) tx.store.put(Object.assign({}, notice, { seen: true }));
        return tx.done;
      });
    }).then(function () { emit({ type: "notices" }); });
  }

  // --- photos: resized here before they are kept ---------------------------------------------

  function photoName(n) {
    var d = new Date();
    var pad = function (v) { return String(v).padStart(2, "0"); };
    return "anh-" + d.getFullYear() + pad(d.getMonth() + 1) + pad(d.getDate()) + "-" + pad(d.getHours()) + pad(d.getMinutes()) + "-" + (n || 1) + ".jpg";
  }

  function safeName(name) {
    var clean = String(name || "anh").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "");
    return (clean || "anh").slice(-80);
  }

  // The longest edge brought to data-photo-max-edge and JPEG at data-photo-quality;
  // createImageBitmap turns the picture as its EXIF says. A file this browser cannot decode
  // (an iPhone's HEIC in Chromium) is kept as it is: the server says why it is refused.
  function preparePhoto(file, n) {
    var maxEdge = Number(meta.dataset.photoMaxEdge) || 1600;
    var quality = (Number(meta.dataset.photoQuality) || 82) / 100;
    var asIs = { blob: file, name: safeName(file.name), type: file.type || "application/octet-stream", resized: false };
    if (!window.createImageBitmap) return Promise.resolve(asIs);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, maxEdge / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) return resolve(asIs);
          resolve({ blob: blob, name: photoName(n), type: "image/jpeg", resized: true, width: canvas.width, height: canvas.height });
        }, "image/jpeg", quality);
      });
    }, function () { return asIs; });
  }

  // --- the outbox file ------------------------------------------------------------------------

  function toBase64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  function fromBase64(text, type) {
    var bytes = atob(text);
    var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new Blob([array], { type: type });
  }

  var COMMON = ["kind", "org", "assignment", "key", "label", "created_at"];

  function exportData(userName) {
    return list().then(function (all) {
      all.sort(function (a, b) { return a.id - b.id; });
      return Promise.all(all.map(function (item) {
        var out = {};
        COMMON.forEach(function (name) { out[name] = item[name]; });
        if (item.kind === "scorecard") out.body = item.body;
        if (item.kind === "photo_delete") out.photo = item.photo;
        if (item.kind !== "photo") return out;
        out.name = item.name;
        out.type = item.type;
        return toBase64(item.blob).then(function (data) { out.data = data; return out; });
      })).then(function (items) {
        return { format: "dvk-outbox", version: 1, exported_at: localIso(new Date()), user: USER, user_name: userName || "", items: items };
      });
    });
  }

  // "2026-12-02T14:05:00+07:00": the tablet's time with its offset.
  function localIso(d) {
    var pad = function (v) { return String(Math.abs(v)).padStart(2, "0"); };
    var offset = -d.getTimezoneOffset();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (offset >= 0 ? "+" : "-") + pad(Math.floor(Math.abs(offset) / 60)) + ":" + pad(Math.abs(offset) % 60);
  }

  function exportFile(userName) {
    return exportData(userName).then(function (data) {
      var blob = new Blob([JSON.stringify(data)], { type: "application/json" });
      var url = URL.createObjectURL(blob);
      var stamp = data.exported_at.slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
      var link = document.createElement("a");
      link.href = url;
      link.download = "hop-thu-di-" + stamp + ".json";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      return data;
    });
  }

  function refuse(code, detail) {
    return Object.assign(new Error(code), { code: code, detail: detail || "" });
  }

  function checkItem(raw, n) {
    var bad = function () { throw refuse("import_bad_item", String(n + 1)); };
    if (!raw || typeof raw !== "object" || KINDS.indexOf(raw.kind) < 0) bad();
    if (typeof raw.org !== "string" || !/^[A-Za-z0-9_-]{1,40}$/.test(raw.org)) bad();
    if (!Number.isInteger(raw.assignment) || raw.assignment < 1) bad();
    if (typeof raw.key !== "string" || !KEY_RE.test(raw.key)) bad();
    var item = { kind: raw.kind, org: raw.org, assignment: raw.assignment, key: raw.key, label: String(raw.label || ""), created_at: String(raw.created_at || "") };
    if (raw.kind === "scorecard") {
      var body = raw.body;
      if (!body || typeof body !== "object" || !Number.isInteger(body.version) || body.version < 0 || !Array.isArray(body.lines)) bad();
      var lines = body.lines.map(function (line) {
        if (!line || !Number.isInteger(line.criterion)) bad();
        return { criterion: line.criterion, points: line.points == null ? null : String(line.points), comment: String(line.comment || "") };
      });
      item.body = { version: body.version, submit: !!body.submit, comment: String(body.comment || ""), lines: lines };
    } else if (raw.kind === "photo") {
      if (typeof raw.name !== "string" || !NAME_RE.test(raw.name) || typeof raw.data !== "string" || !raw.data) bad();
      try {
        item.blob = fromBase64(raw.data, String(raw.type || "application/octet-stream"));
      } catch (error) {
        bad();
      }
      item.name = raw.name;
      item.type = String(raw.type || "application/octet-stream");
    } else {
      if (!Number.isInteger(raw.photo) || raw.photo < 1) bad();
      item.photo = raw.photo;
    }
    return item;
  }

  // The file of another tablet of the same member: its items join this outbox with their
  // keys (a write the broken tablet did send is replayed, not applied twice). An item whose
  // key is here already is skipped (the file imported twice). Another user's file is refused.
  function importFile(file) {
    return file.text().then(function (text) {
      var data;
      try { data = JSON.parse(text); } catch (error) { throw refuse("import_bad_format"); }
      if (!data || data.format !== "dvk-outbox" || data.version !== 1 || !Array.isArray(data.items)) throw refuse("import_bad_format");
      if (data.user !== USER) throw refuse("import_other_user", data.user_name || "");
      var items = data.items.map(checkItem);
      return list().then(function (all) {
        var keys = {};
        all.forEach(function (item) { keys[item.key] = true; });
        var fresh = items.filter(function (item) { return !keys[item.key]; });
        return dbPromise.then(function (db) {
          var tx = db.transaction("outbox", "readwrite");
          fresh.forEach(function (item) {
            tx.store.add(complete(item, { api: apiRoot(item.org), url: assignmentUrl(item.org, item.assignment), imported: true, key: item.key }));
          });
          return tx.done;
        }).then(function () {
          fresh.forEach(function (item) { registerApi(item.org, apiRoot(item.org)); });
          emit({ type: "items" });
          return { added: fresh.length, skipped: items.length - fresh.length };
        });
      });
    });
  }

  window.DVKOutbox = {
    user: USER,
    add: add,
    list: list,
    count: count,
    get: get,
    remove: remove,
    syncNow: syncNow,
    subscribe: subscribe,
    resolveConflict: resolveConflict,
    exportFile: exportFile,
    exportData: exportData,
    importFile: importFile,
    registerApi: registerApi,
    notices: notices,
    dismissNotice: dismissNotice,
    preparePhoto: preparePhoto,
    lastSync: function () { return readState("last_sync"); },
    isSyncing: function () { return !!running; },
    // Signing out is about to delete the database (offline.js): this tab lets go of it.
    close: close,
  };

  // Triggers: coming back online, the page shown again, and the page's load (scoring.js
  // registers its API first, then calls syncNow; other pages sync here). No Background Sync:
  // Safari lacks it.
  window.addEventListener("online", function () { syncNow(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") syncNow();
  });
  // Elsewhere (the outbox page, any signed-in page) only when something waits, so an idle
  // member's every page costs no request.
  window.addEventListener("load", function () {
    if (document.getElementById("scoring-list") || document.getElementById("scoring-assignment")) return;
    count().then(function (n) { if (n || document.getElementById("outbox-page")) syncNow(); });
  });
})();
