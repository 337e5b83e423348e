// The board member's tablet pages (appraisal/scoring_views.py): the member's list and one
// assignment (dossier view and scorecard), read and written through the scoring API only
// (/api/v1/o/<code>/appraisal/, see docs of appraisal/api.py), as any client would, so the
// offline layer can later sit between this script and the API.
//
// Write semantics (the same as the API's): every write carries a key made here
// (Idempotency-Key) and the version it was based on. A write that got no answer (network,
// 5xx) is retried with the same key and the same body; any change makes a new write with a
// new key. A stale version (409) shows the server's copy beside the member's and lets them
// choose; nothing is merged. No inline script or style: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // --- small helpers ----------------------------------------------------------------------

  var STRINGS = {};

  function loadStrings() {
    document.querySelectorAll("#scoring-strings [data-key]").forEach(function (node) {
      STRINGS[node.dataset.key] = node.textContent.trim();
    });
  }

  function t(key, values) {
    return DVK.fill(STRINGS[key] || key, values);
  }

  var h = DVK.h;

  // A read (every write goes through the outbox, DVKOutbox); resolves {status, body,
  // fromCache} (body parsed when JSON; fromCache when the service worker answered from the
  // tablet's copy), or {status: 0} when no answer came (offline, timeout).
  function api(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        var fromCache = response.headers.get("X-DVK-From-Cache") === "1";
        var read = type.indexOf("json") >= 0 ? response.json() : Promise.resolve(null);
        return read.then(
          function (body) { return { status: response.status, body: body, fromCache: fromCache }; },
          function () { return { status: response.status, body: null, fromCache: fromCache }; }
        );
      },
      function () { return { status: 0, body: null }; }
    );
  }

  // "2026-12-02" → "02/12/2026"; an ISO datetime is shown in the page's time zone (the
  // server's Asia/Ho_Chi_Minh is the tablet's too in practice).
  function shownDate(value) {
    if (!value) return "";
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (m) return m[3] + "/" + m[2] + "/" + m[1];
    var d = new Date(value);
    if (isNaN(d)) return value;
    return d.toLocaleDateString("vi-VN", { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "Asia/Ho_Chi_Minh" });
  }

  function shownTime(date) {
    return date.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" });
  }

  // Points as people write them: "7,5" and "7.5" are the same number. Returns a number, null
  // (empty) or NaN.
  function parsePoints(text) {
    var value = String(text == null ? "" : text).trim().replace(",", ".");
    if (value === "") return null;
    if (!/^\d+(\.\d{1,2})?$/.test(value)) return NaN;
    return Number(value);
  }

  function shownPoints(value) {
    if (value == null || value === "") return "";
    var n = Number(value);
    if (isNaN(n)) return String(value);
    return String(Math.round(n * 100) / 100).replace(".", ",");
  }

  function capitalized(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function stateBadge(state) {
    var styles = {
      submitted: "text-bg-success",
      draft: "text-bg-warning",
      todo: "text-bg-secondary",
      conflicted: "text-bg-danger",
      closed: "text-bg-dark",
    };
    return h("span", { class: "badge " + (styles[state] || "text-bg-secondary"), dataset: { state: state } }, [
      t("state_" + state),
    ]);
  }

  function alertBox(kind, children, attrs) {
    return h("div", Object.assign({ class: "alert alert-" + kind, role: kind === "danger" ? "alert" : "status" }, attrs || {}), children);
  }

  // --- the member's list --------------------------------------------------------------------

  function initList(root) {
    var url = root.dataset.api + "assignments/" + (root.dataset.board ? "?board=" + encodeURIComponent(root.dataset.board) : "");
    var outbox = window.DVKOutbox;
    var names = {}; // assignment id and "r<registration id>" → the model's name, for the notices
    var drawNotices = initNotices(root, function () { return true; }, function (notice) {
      return names[notice.assignment] || names["r" + notice.registration];
    }, true);
    // `quiet`: a refresh after a sync, without the loading line (and a failure keeps the list).
    function load(quiet) {
      if (quiet !== true) root.replaceChildren(h("p", { class: "text-muted" }, [t("loading")]));
      api(url).then(function (answer) {
        if (answer.status !== 200 || !answer.body) {
          if (quiet === true) return;
          root.replaceChildren(
            alertBox("danger", [t("load_failed"), " ", h("button", { type: "button", class: "btn btn-outline-danger", onclick: load }, [t("retry")])])
          );
          return;
        }
        renderList(root, answer.body);
        // Online: keep the dossiers on the tablet for the member's visits (static/js/offline.js).
        if (!answer.fromCache && window.DVKOffline) DVKOffline.keepList(answer.body, { pages: root.dataset.assignmentUrl, api: root.dataset.api, list: url });
        (answer.body.results || []).forEach(function (item) {
          names[item.id] = names["r" + (item.registration || {}).id] = (item.registration || {}).name;
        });
        if (drawNotices) drawNotices();
        markWaiting(root);
      });
    }
    if (outbox) {
      outbox.registerApi(root.dataset.org, root.dataset.api).then(function () { outbox.syncNow(); });
      outbox.subscribe(function (event) {
        if (event.type === "pulled" || (event.type === "sync-end" && event.sent)) load(true);
        else if (event.type === "items") markWaiting(root);
      });
    }
    load();
  }

  // An assignment with writes still on this tablet says so on the list.
  function markWaiting(root) {
    if (!window.DVKOutbox) return;
    window.DVKOutbox.list().then(function (items) {
      var waiting = {};
      items.forEach(function (item) { waiting[item.assignment] = true; });
      root.querySelectorAll(".scoring-item").forEach(function (node) {
        var id = node.id.replace("scoring-item-", "");
        var badge = node.querySelector(".outbox-waiting");
        if (waiting[id] && !badge) node.querySelector(".badge").after(h("span", { class: "badge text-bg-info outbox-waiting" }, [t("waiting_here")]));
        if (!waiting[id] && badge) badge.remove();
      });
    });
  }

  function renderList(root, data) {
    var counts = data.counts || {};
    var items = data.results || [];
    var nodes = [
      h("div", { class: "d-flex flex-wrap gap-3 align-items-baseline mb-2", id: "scoring-counts" }, [
        h("span", { class: "scoring-counts fw-semibold", id: "scoring-counts-submitted" }, [
          t("counts_submitted", { submitted: counts.submitted || 0, total: counts.total || 0 }),
        ]),
        h("span", { class: "text-muted" }, [
          t("counts_rest", { draft: counts.draft || 0, todo: counts.todo || 0, conflicted: counts.conflicted || 0 }),
        ]),
      ]),
    ];
    if (!items.length) nodes.push(alertBox("info", [t("empty")], { id: "scoring-empty" }));
    // Grouped by visit date, in the API's order (next visit first; none last).
    var groups = [];
    items.forEach(function (item) {
      var day = item.visit ? item.visit.date : "";
      var last = groups[groups.length - 1];
      if (!last || last.day !== day) groups.push((last = { day: day, items: [] }));
      last.items.push(item);
    });
    groups.forEach(function (group) {
      nodes.push(h("h2", { class: "h5 scoring-day" }, [group.day ? shownDate(group.day) : t("no_visit")]));
      nodes.push(h("div", { class: "d-grid gap-2" }, group.items.map(listItem.bind(null, root))));
    });
    root.replaceChildren.apply(root, nodes);
  }

  function listItem(root, item) {
    var r = item.registration || {};
    var visit = item.visit;
    var card = item.scorecard;
    var lines = [
      h("div", { class: "d-flex flex-wrap gap-2 align-items-start justify-content-between" }, [
        h("span", { class: "fw-semibold fs-5" }, [r.name]),
        stateBadge(item.state),
      ]),
      h("div", {}, [(r.organization || {}).name, " · ", (item.board && item.board.campaign ? item.board.campaign.number : "")]),
    ];
    if (visit) {
      lines.push(
        h("div", { class: "text-muted" }, [
          t("visit_at", { date: shownDate(visit.date), time: visit.time ? " " + visit.time.slice(0, 5) : "", place: visit.place || "" }),
        ])
      );
    }
    if (card && card.total != null && card.status) lines.push(h("div", {}, [t("total_of", { total: shownPoints(card.total) })]));
    var openText = item.may_score ? t("open") : t("open_readonly");
    lines.push(h("span", { class: "btn btn-primary mt-2 align-self-start" }, [openText, " →"]));
    return h(
      "a",
      {
        class: "card card-body scoring-item d-flex flex-column gap-1",
        href: root.dataset.assignmentUrl + item.id + "/",
        id: "scoring-item-" + item.id,
        dataset: { state: item.state },
      },
      lines
    );
  }

  // --- one assignment: the dossier view ------------------------------------------------------

  // The plan's fields in the order the registration form asks them (the API sends a map).
  var PLAN_FIELDS = [
    "location", "responsible_person", "participants", "content", "responsibility", "authority", "schedule",
    "purposes", "solutions", "forces", "coordinating_forces", "review_dates", "launch_event", "assignments", "conditions",
  ];
  var DOSSIER_FIELDS = [
    "letter_number", "letter_date", "letter_to", "letter_request", "signer_name", "signer_position",
    "report_purposes", "report_content", "report_results", "report_creativity", "report_lessons",
  ];

  function section(id, title, children) {
    return h("div", { class: "card mb-3", id: id }, [
      h("h2", { class: "card-header bg-white h6 fw-semibold mb-0" }, [title]),
      h("div", { class: "card-body" }, children),
    ]);
  }

  function definitions(pairs) {
    var nodes = [];
    pairs.forEach(function (pair) {
      if (pair[1] == null || pair[1] === "") return;
      nodes.push(h("dt", {}, [pair[0]]), h("dd", { class: "scoring-prose" }, [pair[1]]));
    });
    return h("dl", { class: "mb-0" }, nodes.length ? nodes : [h("dd", { class: "text-muted" }, ["—"])]);
  }

  function renderDossier(pane, item) {
    var r = item.registration || {};
    var nodes = [];
    if (item.conflicts && item.conflicts.length) {
      nodes.push(
        alertBox("danger", [
          h("p", { class: "mb-1 fw-semibold" }, [t("conflicts")]),
          h("ul", { class: "mb-0" }, item.conflicts.map(function (c) { return h("li", {}, [c.label, ": ", c.text]); })),
        ], { id: "scoring-conflicts" })
      );
    }
    var period = [shownDate(r.starts_on), shownDate(r.completes_on)].filter(Boolean).join(" – ");
    nodes.push(
      section("dossier-registration", t("registration"), [
        definitions([
          [t("field"), r.field ? STRINGS["field_" + r.field] || r.field : null],
          [r.subject_type === "individual" ? t("person") : null, r.subject_type === "individual" ? r.person_name : null],
          [t("period"), period],
          [t("status"), STRINGS["regstatus_" + r.status] || r.status],
        ].filter(function (pair) { return pair[0]; })),
      ])
    );
    var plan = r.plan;
    var planBody;
    if (plan && typeof plan === "object") {
      var keys = PLAN_FIELDS.filter(function (k) { return k in plan; });
      Object.keys(plan).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
      planBody = definitions(keys.map(function (k) { return [capitalized(STRINGS["plan_" + k] || k), plan[k]]; }));
    } else {
      planBody = h("p", { class: "scoring-prose mb-0" }, [plan || "—"]);
    }
    var targets = r.targets || [];
    nodes.push(
      section("dossier-plan", t("plan"), [
        planBody,
        h("h3", { class: "h6 fw-semibold mt-3" }, [t("targets")]),
        targets.length
          ? h("ul", { class: "mb-0", id: "dossier-targets" }, targets.map(function (target) {
              if (typeof target !== "object") return h("li", {}, [target]);
              return h("li", {}, [target.indicator, target.value != null ? ": " + shownPoints(target.value) : "", target.unit ? " " + target.unit : ""]);
            }))
          : h("p", { class: "text-muted mb-0" }, [t("no_targets")]),
      ])
    );
    var dossier = item.dossier;
    nodes.push(
      section("dossier-recognition", t("dossier"), dossier
        ? [definitions(
            [[t("dossier_submitted_at"), shownDate(dossier.submitted_at)]].concat(DOSSIER_FIELDS.map(function (k) {
              return [t("dossier_" + k), /_date$/.test(k) ? shownDate(dossier[k]) : dossier[k]];
            }))
          )]
        : [h("p", { class: "text-muted mb-0" }, [t("no_dossier")])])
    );
    var reports = item.reports || [];
    nodes.push(
      section("dossier-reports", t("reports"), reports.length
        ? [h("ul", { class: "list-unstyled mb-0" }, reports.map(function (report) {
            return h("li", { class: "mb-2" }, [
              h("div", { class: "fw-semibold" }, [shownDate(report.reported_on), report.kind ? " · " + (STRINGS["report_" + report.kind] || report.kind) : ""]),
              h("div", { class: "scoring-prose" }, [report.summary || ""]),
            ]);
          }))]
        : [h("p", { class: "text-muted mb-0" }, [t("no_reports")])])
    );
    var evidence = item.evidence || [];
    nodes.push(
      section("dossier-evidence", t("evidence"), evidence.length
        ? [h("ul", { class: "scoring-thumbs list-unstyled mb-0" }, evidence.map(evidenceThumb))]
        : [h("p", { class: "text-muted mb-0" }, [t("no_evidence")])])
    );
    pane.replaceChildren.apply(pane, nodes);
  }

  function evidenceThumb(file) {
    var picture = file.thumbnail_url
      ? h("img", { src: file.thumbnail_url, alt: file.caption || file.original_name, loading: "lazy" })
      : h("span", { class: "scoring-file", "aria-hidden": "true" }, [h("i", { class: "bi bi-file-earmark-text" })]);
    return h("li", {}, [
      h("figure", { class: "mb-0" }, [
        h("a", { href: file.url, target: "_blank", rel: "noopener", class: "evidence-link", title: file.original_name }, [picture]),
        h("figcaption", {}, [file.caption || file.original_name]),
      ]),
    ]);
  }

  // --- one assignment: the scorecard --------------------------------------------------------
  // Every write (save, submit, photo added or removed) goes into the outbox (outbox.js) and
  // a sync is asked for, online or not: one path. The page shows the server's card overlaid
  // by this assignment's local items, and the state of the last one.

  function initAssignment(root) {
    var outbox = window.DVKOutbox;
    var assignmentId = Number(root.dataset.assignment);
    var org = root.dataset.org;
    var base = root.dataset.api + "assignments/" + root.dataset.assignment + "/";
    var dossierPane = document.getElementById("pane-dossier");
    var form = document.getElementById("scorecard");
    var criteriaBox = document.getElementById("scorecard-criteria");
    var notes = document.getElementById("scorecard-notes");
    var commentInput = document.getElementById("scorecard-comment");
    var totalBox = document.getElementById("scorecard-total");
    var statusBox = document.getElementById("scorecard-status");
    var saveButton = document.getElementById("scorecard-save");
    var submitButton = document.getElementById("scorecard-submit");
    var dialog = document.getElementById("scorecard-confirm");
    var staleBox = document.getElementById("scorecard-stale");
    var photoInput = document.getElementById("scorecard-photo-input");
    var photoList = document.getElementById("scorecard-photo-list");
    var photoError = document.getElementById("scorecard-photo-error");

    var card = null; // the scorecard as the server last answered
    var inputs = {}; // criterion id → {points, comment, error, box, criterion}
    var savedSnapshot = ""; // the form's values when they last matched what is kept
    var local = []; // this assignment's outbox items, in order
    var sentAt = null; // when the server last confirmed a write of this page
    var blobUrls = {}; // outbox item id → object URL of its photo

    setupTabs();
    if (outbox) outbox.registerApi(org, root.dataset.api);
    initNotices(document.getElementById("scoring-tabs"), function (notice) {
      return notice.org === org && (notice.assignment == null || String(notice.assignment) === String(assignmentId));
    }, function () { return root.dataset.label; }, false);

    api(base).then(function (answer) {
      if (answer.status === 200 && answer.body) renderDossier(dossierPane, answer.body);
      else dossierPane.replaceChildren(alertBox("danger", [answer.status === 404 ? t("not_found") : t("load_failed")]));
    });
    loadCard(true);

    function loadCard(first) {
      return api(base + "scorecard/").then(function (answer) {
        if (answer.status !== 200 || !answer.body) {
          if (!first) return;
          notes.replaceChildren(alertBox("danger", [answer.status === 404 ? t("not_found") : t("load_failed")]));
          form.hidden = false;
          form.querySelectorAll("input, textarea, button").forEach(function (c) { c.disabled = true; });
          return;
        }
        card = answer.body;
        if (first) buildCriteria(card.criteria || []);
        return refresh(first ? "force" : true).then(function () { form.hidden = false; });
      }).then(function () {
        if (first && outbox) outbox.syncNow();
      });
    }

    if (outbox) {
      outbox.subscribe(function (event) {
        if (!card) return;
        if (event.type === "result" && event.item && String(event.item.assignment) === String(assignmentId) && event.item.org === org) {
          answered(event.item, event.status, event.body || {});
        } else if (event.type === "pulled" && event.added) {
          loadCard(false);
        } else if (event.type === "items" || event.type === "sync-end") {
          refresh(true);
        }
      });
    }

    // The server's answer to one of this page's items (sent now, from any tab).
    function answered(item, status, body) {
      if (item.kind === "scorecard" && status === 200) {
        card = mergeCard(body);
        sentAt = new Date();
      } else if (item.kind === "photo" && status === 201 && body.photo) {
        card.photos = (card.photos || []).concat([body.photo]);
        // The first photo makes the (empty) card: its version is the base of the next write.
        if (!card.version && body.scorecard_version) {
          card.version = body.scorecard_version;
          card.status = card.status || "draft";
        }
        sentAt = new Date();
      } else if (item.kind === "photo_delete" && (status === 204 || status === 404)) {
        card.photos = (card.photos || []).filter(function (p) { return p.id !== item.photo; });
        sentAt = new Date();
      } else if (status === 403 || (status === 409 && !(body && body.code === "stale"))) {
        // Submitted elsewhere, closed, a conflict of interest: the server's card says what now.
        loadCard(false);
      }
    }

    function mine(item) {
      return item.org === org && String(item.assignment) === String(assignmentId);
    }

    function lastScorecard() {
      var cards = local.filter(function (item) { return item.kind === "scorecard"; });
      return cards[cards.length - 1] || null;
    }

    function conflictItem() {
      return local.find(function (item) { return item.kind === "scorecard" && item.state === "conflict"; }) || null;
    }

    // A submit kept here, not yet confirmed: the page is locked on this tablet.
    function submittedHere() {
      var last = lastScorecard();
      return !!(last && last.body.submit && last.state !== "refused" && last.state !== "conflict");
    }

    // The version a new save is based on: that of the saves still waiting here (they will be
    // rebased as they go), else the server's.
    function baseVersion() {
      var pending = local.filter(function (item) { return item.kind === "scorecard" && item.state !== "refused"; });
      if (pending.length) return pending[pending.length - 1].body.version;
      return card ? card.version : 0;
    }

    // Re-reads this assignment's items and draws the card: the latest local scorecard over
    // the server's (unless the member is typing), the photos, the status, the conflict.
    function refresh(refill) {
      var reading = outbox ? outbox.list() : Promise.resolve([]);
      return reading.then(function (all) {
        local = all.filter(mine).sort(function (a, b) { return a.id - b.id; });
        if (!card) return;
        if (refill === "force" || (refill && !dirty())) {
          var last = lastScorecard();
          fill(last ? last.body : card);
          if (last && last.state === "refused" && last.fields) showFieldErrors(last.fields);
        }
        renderPhotos();
        applyLock();
        showState();
      });
    }

    function showState() {
      var conflict = conflictItem();
      if (conflict) showStale(conflict);
      else staleBox.hidden = true;
      var last = local[local.length - 1];
      if (!last) {
        if (sentAt) setStatus("saved", card.status === "submitted" ? t("submitted_ok") : t("sent", { time: shownTime(sentAt) }));
        else if (statusBox.dataset.state === "local") setStatus("", "");
        return;
      }
      if (last.state === "refused") return setStatus("error", t("item_refused", { reason: last.error }));
      if (last.state === "conflict") return setStatus("error", t("item_conflict"));
      if (last.state === "signin") return setStatus("local", t("item_signin"));
      setStatus("local", submittedHere() ? t("submitted_here") : t("saved_here"));
    }

    function setupTabs() {
      var tabs = document.querySelectorAll("#scoring-tabs [data-pane]");
      tabs.forEach(function (tab) {
        tab.addEventListener("click", function () {
          tabs.forEach(function (other) {
            var on = other === tab;
            other.classList.toggle("active", on);
            other.setAttribute("aria-selected", on ? "true" : "false");
            document.getElementById(other.dataset.pane).classList.toggle("active", on);
          });
        });
      });
    }

    function buildCriteria(criteria) {
      inputs = {};
      criteriaBox.replaceChildren.apply(criteriaBox, criteria.map(function (c) {
        var id = "points-" + c.id;
        var points = h("input", {
          class: "form-control", id: id, type: "text", inputmode: "decimal", autocomplete: "off",
          "aria-describedby": id + "-max " + id + "-error", dataset: { criterion: c.id, max: c.max_points },
          oninput: changed,
        });
        var error = h("div", { class: "text-danger", id: id + "-error", role: "alert" });
        var comment = h("textarea", {
          class: "form-control", id: "comment-" + c.id, rows: "2", oninput: changed,
          placeholder: t("line_comment"), "aria-label": t("line_comment") + " – " + c.name,
        });
        var box = h("div", { class: "scoring-criterion", id: "criterion-" + c.id }, [
          h("label", { class: "form-label fw-semibold d-block", for: id }, [c.name]),
          c.description ? h("p", { class: "text-muted mb-2" }, [c.description]) : null,
          h("div", { class: "scoring-stepper mb-2" }, [
            h("button", { class: "btn btn-outline-secondary", type: "button", "aria-label": t("minus") + " – " + c.name, dataset: { step: "-1", criterion: c.id }, onclick: step }, ["−"]),
            points,
            h("button", { class: "btn btn-outline-secondary", type: "button", "aria-label": t("plus") + " – " + c.name, dataset: { step: "1", criterion: c.id }, onclick: step }, ["+"]),
            h("span", { class: "scoring-max", id: id + "-max" }, ["/ " + shownPoints(c.max_points)]),
          ]),
          error,
          comment,
        ]);
        inputs[c.id] = { points: points, comment: comment, error: error, box: box, criterion: c };
        return box;
      }));
      commentInput.addEventListener("input", changed);
    }

    // The steppers move by one point, within 0 and the maximum (an empty box starts at 0).
    function step(event) {
      var entry = inputs[event.currentTarget.dataset.criterion];
      if (!entry || entry.points.disabled) return;
      var now = parsePoints(entry.points.value);
      if (now == null || isNaN(now)) now = 0;
      var next = Math.min(Number(entry.criterion.max_points), Math.max(0, now + Number(event.currentTarget.dataset.step)));
      entry.points.value = shownPoints(next);
      changed();
    }

    // The form's values as the API takes them.
    function values() {
      return {
        comment: commentInput.value,
        lines: Object.keys(inputs).map(function (id) {
          var text = inputs[id].points.value.trim().replace(",", ".");
          return { criterion: Number(id), points: text === "" ? null : text, comment: inputs[id].comment.value };
        }),
      };
    }

    function fill(source) {
      var lines = {};
      (source.lines || []).forEach(function (line) { lines[line.criterion] = line; });
      Object.keys(inputs).forEach(function (id) {
        var line = lines[id] || {};
        inputs[id].points.value = shownPoints(line.points);
        inputs[id].comment.value = line.comment || "";
      });
      commentInput.value = source.comment || "";
      savedSnapshot = JSON.stringify(values());
      clearErrors();
      changed();
      applyLock();
    }

    function locked() {
      return !card || card.status === "submitted" || card.may_score === false || submittedHere() || !!conflictItem();
    }

    function applyLock() {
      var readOnly = locked();
      form.querySelectorAll("input, textarea, .scoring-stepper button").forEach(function (control) {
        control.disabled = readOnly;
      });
      photoList.querySelectorAll(".scoring-thumb-remove").forEach(function (button) {
        button.hidden = readOnly && button.dataset.state !== "refused";
      });
      saveButton.hidden = submitButton.hidden = readOnly;
      document.getElementById("scorecard-photo-button").hidden = readOnly;
      var messages = [];
      if (card && card.status === "submitted") {
        messages.push(alertBox("success", [t("locked", { at: card.submitted_at ? " " + shownDate(card.submitted_at) : "" })], { id: "scorecard-locked" }));
      } else if (submittedHere()) {
        messages.push(alertBox("info", [t("submitted_here")], { id: "scorecard-locked-local" }));
      } else if (card && card.may_score === false && card.why_not) {
        messages.push(alertBox("warning", [card.why_not], { id: "scorecard-why-not" }));
      }
      if (card && card.status === "draft" && card.reopen_reason) {
        messages.push(alertBox("info", [t("reopened", { reason: card.reopen_reason })], { id: "scorecard-reopened" }));
      }
      notes.replaceChildren.apply(notes, messages);
    }

    function dirty() {
      return !locked() && JSON.stringify(values()) !== savedSnapshot;
    }

    function changed() {
      var total = 0, max = 0;
      Object.keys(inputs).forEach(function (id) {
        var entry = inputs[id];
        var limit = Number(entry.criterion.max_points);
        max += limit;
        var value = parsePoints(entry.points.value);
        var bad = value !== null && (isNaN(value) || value < 0 || value > limit);
        showError(id, bad ? t("bad_number", { max: shownPoints(limit) }) : "");
        if (!bad && value !== null) total += value;
      });
      totalBox.textContent = t("total") + ": " + shownPoints(total) + " / " + shownPoints(max);
      totalBox.dataset.total = String(Math.round(total * 100) / 100);
      if (dirty()) setStatus("", t("unsaved"));
    }

    function showError(id, message) {
      var entry = inputs[id];
      if (!entry) return false;
      entry.error.textContent = message;
      entry.box.classList.toggle("is-invalid", !!message);
      entry.points.classList.toggle("is-invalid", !!message);
      return true;
    }

    // A refused save's reasons at their criteria (the server names them).
    function showFieldErrors(fields) {
      Object.keys(fields).forEach(function (name) {
        var message = [].concat(fields[name]).join(" ");
        if (showError(name, message)) return;
        if (name === "comment") {
          document.getElementById("scorecard-comment-error").textContent = message;
          commentInput.classList.add("is-invalid");
        }
      });
    }

    function clearErrors() {
      Object.keys(inputs).forEach(function (id) { showError(id, ""); });
      document.getElementById("scorecard-comment-error").textContent = "";
      commentInput.classList.remove("is-invalid");
      photoError.textContent = "";
    }

    function setStatus(state, text) {
      statusBox.dataset.state = state;
      statusBox.textContent = text;
    }

    function hasLocalErrors() {
      return Object.keys(inputs).some(function (id) { return inputs[id].error.textContent; });
    }

    // Keeps the scorecard as it is on the page in the outbox, based on the version the
    // member was editing, then asks for a sync.
    function write(submit) {
      if (locked() || !outbox) return;
      if (hasLocalErrors()) {
        var first = Object.keys(inputs).find(function (id) { return inputs[id].error.textContent; });
        inputs[first].points.focus();
        return;
      }
      var body = Object.assign({ version: baseVersion(), submit: !!submit }, values());
      sentAt = null;
      setStatus("", t("saving"));
      outbox.add({
        kind: "scorecard", org: org, api: root.dataset.api, assignment: assignmentId, label: root.dataset.label,
        url: location.pathname, body: body,
      }).then(function () {
        savedSnapshot = JSON.stringify(values());
        return refresh(false);
      }).then(function () { outbox.syncNow(); });
    }

    // A 409's `current` may carry fewer fields than the GET (no criteria): keep what the page has.
    function mergeCard(next) {
      return Object.assign({}, card || {}, next, { criteria: (card && card.criteria) || next.criteria, photos: next.photos || (card && card.photos) || [] });
    }

    var staleShown = null;
    function showStale(item) {
      if (staleShown === item.id + ":" + item.key && !staleBox.hidden) return;
      staleShown = item.id + ":" + item.key;
      var current = item.current || {};
      var ours = item.body;
      var byCriterion = {};
      (current.lines || []).forEach(function (line) { byCriterion[line.criterion] = line; });
      var rows = Object.keys(inputs).map(function (id) {
        var line = byCriterion[id] || {};
        var own = ours.lines.find(function (l) { return String(l.criterion) === id; }) || {};
        return h("tr", {}, [
          h("th", { scope: "row" }, [inputs[id].criterion.name]),
          h("td", { class: "stale-mine" }, [own.points == null ? t("unscored") : shownPoints(own.points), own.comment ? h("div", { class: "text-muted" }, [own.comment]) : null]),
          h("td", { class: "stale-theirs" }, [line.points == null ? t("unscored") : shownPoints(line.points), line.comment ? h("div", { class: "text-muted" }, [line.comment]) : null]),
        ]);
      });
      rows.push(h("tr", {}, [h("th", { scope: "row" }, [t("general_comment")]), h("td", {}, [ours.comment || "—"]), h("td", {}, [current.comment || "—"])]));
      staleBox.replaceChildren(
        h("div", { class: "card-body" }, [
          h("h2", { class: "h5" }, [t("stale_title")]),
          h("p", {}, [t("stale_text")]),
          h("div", { class: "table-responsive" }, [
            h("table", { class: "table table-sm scoring-compare" }, [
              h("thead", {}, [h("tr", {}, [h("th", { scope: "col" }, [t("criterion")]), h("th", { scope: "col" }, [t("mine")]), h("th", { scope: "col" }, [t("theirs")])])]),
              h("tbody", {}, rows),
            ]),
          ]),
          h("div", { class: "d-flex flex-wrap gap-2" }, [
            h("button", { type: "button", class: "btn btn-primary", id: "stale-keep-mine", onclick: function () {
              // A new write, under a new key, based on the server's version.
              staleBox.hidden = true;
              sentAt = null;
              outbox.resolveConflict(item.id, "mine");
            } }, [t("keep_mine")]),
            h("button", { type: "button", class: "btn btn-outline-primary", id: "stale-use-theirs", onclick: function () {
              staleBox.hidden = true;
              outbox.resolveConflict(item.id, "theirs").then(function (theirs) {
                if (theirs) card = mergeCard(theirs);
                savedSnapshot = "";
                local = [];
                fill(card);
                setStatus("saved", "");
                return loadCard(false);
              });
            } }, [t("use_theirs")]),
          ]),
        ])
      );
      staleBox.hidden = false;
      staleBox.scrollIntoView({ block: "start" });
    }

    saveButton.addEventListener("click", function () { write(false); });
    // Required criteria left blank are named before the confirmation (the server checks too).
    function markUnscored() {
      var first = null;
      Object.keys(inputs).forEach(function (id) {
        var entry = inputs[id];
        if (entry.criterion.required && parsePoints(entry.points.value) === null) {
          showError(id, t("not_scored"));
          first = first || entry.points;
        }
      });
      if (first) first.focus();
      return first !== null;
    }

    submitButton.addEventListener("click", function () {
      if (hasLocalErrors()) return write(true);
      if (markUnscored()) return;
      document.getElementById("scorecard-confirm-total").textContent = totalBox.textContent;
      if (dialog.showModal) dialog.showModal();
      else if (window.confirm(dialog.querySelector("p").textContent)) write(true);
    });
    document.getElementById("scorecard-confirm-cancel").addEventListener("click", function () { dialog.close(); });
    document.getElementById("scorecard-confirm-ok").addEventListener("click", function () {
      dialog.close();
      write(true);
    });

    // --- photos: each added and removed one is its own item, with its own key ---

    function renderPhotos() {
      var removing = {};
      local.forEach(function (item) { if (item.kind === "photo_delete") removing[item.photo] = true; });
      var server = ((card && card.photos) || []).filter(function (p) { return !removing[p.id]; }).map(serverPhoto);
      var kept = local.filter(function (item) { return item.kind === "photo"; }).map(localPhoto);
      Object.keys(blobUrls).forEach(function (id) {
        if (!local.some(function (item) { return String(item.id) === id; })) {
          URL.revokeObjectURL(blobUrls[id]);
          delete blobUrls[id];
        }
      });
      photoList.replaceChildren.apply(photoList, server.concat(kept));
      var refused = local.filter(function (item) { return item.kind !== "scorecard" && item.state === "refused"; });
      photoError.textContent = refused.map(function (item) { return item.error; }).join(" ");
    }

    function removeButton(state, onclick) {
      return h("button", {
        type: "button", class: "btn btn-light scoring-thumb-remove", "aria-label": t("photo_remove"),
        hidden: locked() && state !== "refused", dataset: { state: state }, onclick: onclick,
      }, [h("i", { class: "bi bi-x-lg", "aria-hidden": "true" })]);
    }

    function serverPhoto(photo) {
      return h("li", { id: "photo-" + photo.id, dataset: { state: "sent" } }, [
        h("figure", { class: "mb-0" }, [
          h("a", { href: photo.url, target: "_blank", rel: "noopener" }, [
            h("img", { src: photo.thumbnail_url || photo.url, alt: photo.caption || photo.original_name }),
          ]),
          photo.caption ? h("figcaption", {}, [photo.caption]) : null,
        ]),
        removeButton("sent", function () {
          if (!window.confirm(t("photo_remove_confirm"))) return;
          outbox.add({ kind: "photo_delete", org: org, api: root.dataset.api, assignment: assignmentId, label: root.dataset.label, url: location.pathname, photo: photo.id })
            .then(function () { return refresh(false); })
            .then(function () { outbox.syncNow(); });
        }),
      ]);
    }

    // Shown from the blob kept here until the server has it.
    function localPhoto(item) {
      if (!blobUrls[item.id]) blobUrls[item.id] = URL.createObjectURL(item.blob);
      return h("li", { id: "photo-local-" + item.id, dataset: { state: item.state } }, [
        h("figure", { class: "mb-0" }, [
          h("img", { src: blobUrls[item.id], alt: item.name }),
          h("figcaption", {}, [item.state === "refused" ? t("photo_refused") : t("photo_waiting")]),
        ]),
        removeButton(item.state, function () {
          if (!window.confirm(t("photo_remove_confirm"))) return;
          outbox.remove(item.id).then(function () { return refresh(false); }, function () { photoError.textContent = t("photo_sending"); });
        }),
      ]);
    }

    photoInput.addEventListener("change", function () {
      var files = Array.from(photoInput.files || []);
      photoInput.value = "";
      if (!outbox) return;
      sentAt = null;
      files.reduce(function (chain, file, n) {
        return chain.then(function () {
          return outbox.preparePhoto(file, photoList.children.length + n + 1).then(function (photo) {
            return outbox.add({
              kind: "photo", org: org, api: root.dataset.api, assignment: assignmentId, label: root.dataset.label,
              url: location.pathname, name: photo.name, type: photo.type, blob: photo.blob, base_version: baseVersion(),
            });
          });
        });
      }, Promise.resolve()).then(function () { return refresh(false); }).then(function () { outbox.syncNow(); });
    });

    window.addEventListener("beforeunload", function (event) {
      if (!dirty()) return;
      event.preventDefault();
      event.returnValue = t("leave");
      return t("leave");
    });
  }

  // --- the outbox on every scoring page: the bar, the sign-in banner, the notices ----------

  function outboxMeta() {
    return document.querySelector('meta[name="dvk-user"]');
  }

  function loginUrl() {
    var meta = outboxMeta();
    var url = (meta && meta.dataset.loginUrl) || "/accounts/login/";
    return url + "?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // "3 chưa đồng bộ" with a link to /outbox/ and "Đồng bộ ngay"; hidden when nothing waits.
  // Above it, when the session ended: sign in again (nothing is lost meanwhile).
  function initOutboxBar() {
    var outbox = window.DVKOutbox;
    var main = document.querySelector("main");
    if (!outbox || !main) return;
    var meta = outboxMeta();
    var countText = h("span", { id: "outbox-count" }, []);
    var syncButton = h("button", { type: "button", class: "btn btn-outline-primary scoring-touch", id: "outbox-sync-now", onclick: function () { outbox.syncNow(); } }, [
      h("i", { class: "bi bi-arrow-repeat", "aria-hidden": "true" }), " ", t("sync_now"),
    ]);
    var bar = h("div", { id: "outbox-bar", class: "outbox-bar alert alert-warning d-flex flex-wrap align-items-center gap-2", role: "status", hidden: true }, [
      h("a", { href: (meta && meta.dataset.outboxUrl) || "/outbox/", class: "outbox-bar-link scoring-touch", id: "outbox-bar-link" }, [
        h("i", { class: "bi bi-inbox", "aria-hidden": "true" }), " ", countText,
      ]),
      syncButton,
    ]);
    var signin = h("div", { id: "outbox-signin", class: "alert alert-danger", role: "alert", hidden: true }, [
      t("signin_banner"), " ",
      h("a", { href: loginUrl(), class: "btn btn-danger scoring-touch", id: "outbox-signin-link" }, [t("signin_again")]),
    ]);
    main.prepend(signin, bar);
    function draw() {
      outbox.list().then(function (items) {
        var open = items.length;
        countText.textContent = t("unsynced", { count: open });
        bar.hidden = open === 0;
        signin.hidden = !items.some(function (item) { return item.state === "signin"; });
      });
    }
    outbox.subscribe(function (event) {
      if (event.type === "sync-start") syncButton.disabled = true;
      if (event.type === "sync-end") syncButton.disabled = false;
      if (event.type === "signin") signin.hidden = false;
      if (event.type === "items" || event.type === "sync-end" || event.type === "signin") draw();
    });
    draw();
  }

  var NOTICE_TEXT = {
    reopened: "notice_reopened",
    assigned: "notice_assigned",
    unassigned: "notice_unassigned",
    conflict: "notice_conflict",
    scoring_closed: "notice_scoring_closed",
    scoring_reopened: "notice_scoring_reopened",
  };

  // What the last pulls learnt, at the top of the page (the list: all; an assignment: its
  // own), each dismissable. `names(notice)` gives the model's name when the page knows it.
  function initNotices(anchor, filter, names, linked) {
    var outbox = window.DVKOutbox;
    if (!outbox || !anchor) return null;
    var box = h("ul", { id: "outbox-notices", class: "list-unstyled outbox-notices", "aria-live": "polite" }, []);
    anchor.before(box);
    function draw() {
      outbox.notices().then(function (all) {
        var shown = all.filter(filter).sort(function (a, b) { return b.id - a.id; });
        box.replaceChildren.apply(box, shown.map(function (notice) {
          var name = names(notice) || t("a_model");
          var text = t(NOTICE_TEXT[notice.kind] || "notice_other", { name: name, detail: notice.detail });
          return h("li", { class: "alert alert-info d-flex flex-wrap align-items-center gap-2 outbox-notice", id: "notice-" + notice.id, dataset: { kind: notice.kind } }, [
            h("span", { class: "flex-grow-1" }, [
              h("span", { class: "text-muted me-2" }, [shownDate(notice.at)]),
              notice.assignment && linked
                ? h("a", { href: "/o/" + encodeURIComponent(notice.org) + "/appraisal/scoring/" + notice.assignment + "/" }, [text])
                : text,
            ]),
            h("button", { type: "button", class: "btn btn-outline-secondary scoring-touch", onclick: function () { outbox.dismissNotice(notice.id); } }, [t("dismiss")]),
          ]);
        }));
      });
    }
    outbox.subscribe(function (event) { if (event.type === "notices") draw(); });
    draw();
    return draw;
  }

  // --- the outbox page (/outbox/) ------------------------------------------------------------

  var KIND_TEXT = { scorecard: "kind_scorecard", photo: "kind_photo", photo_delete: "kind_photo_delete" };

  function shownMoment(value) {
    var d = new Date(value);
    if (isNaN(d)) return "";
    return shownDate(value) + " " + shownTime(d);
  }

  function initOutboxPage(root) {
    var outbox = window.DVKOutbox;
    if (!outbox) return;
    var message = h("div", { id: "outbox-message", "aria-live": "polite" }, []);
    var listBox = h("ul", { id: "outbox-items", class: "list-unstyled d-grid gap-2" }, []);
    var importInput = h("input", { type: "file", accept: "application/json,.json", id: "outbox-import", class: "visually-hidden" }, []);
    var lastSync = h("p", { class: "text-muted", id: "outbox-last-sync" }, []);
    var actions = h("div", { class: "d-flex flex-wrap gap-2 mb-3" }, [
      h("button", { type: "button", class: "btn btn-primary", id: "outbox-page-sync", onclick: function () {
        outbox.syncNow().then(function (result) {
          message.replaceChildren(alertBox("info", [t("synced", { sent: result.sent, left: result.left })]));
        });
      } }, [h("i", { class: "bi bi-arrow-repeat", "aria-hidden": "true" }), " ", t("sync_now")]),
      h("button", { type: "button", class: "btn btn-outline-primary", id: "outbox-export", onclick: function () {
        outbox.exportFile(root.dataset.userName || "").then(function (data) {
          message.replaceChildren(alertBox("success", [t("exported", { count: data.items.length })]));
        });
      } }, [h("i", { class: "bi bi-download", "aria-hidden": "true" }), " ", t("export")]),
      h("label", { class: "btn btn-outline-primary", id: "outbox-import-button" }, [
        h("i", { class: "bi bi-upload", "aria-hidden": "true" }), " ", t("import"), importInput,
      ]),
    ]);
    importInput.addEventListener("change", function () {
      var file = importInput.files && importInput.files[0];
      importInput.value = "";
      if (!file) return;
      outbox.importFile(file).then(function (result) {
        message.replaceChildren(alertBox("success", [t("imported", { added: result.added, skipped: result.skipped })], { id: "outbox-imported" }));
        outbox.syncNow();
      }, function (error) {
        message.replaceChildren(alertBox("danger", [t(error.code || "import_bad_format", { detail: error.detail || "", name: error.detail || "" })], { id: "outbox-import-error" }));
      });
    });
    root.replaceChildren(actions, message, lastSync, listBox);

    function stateText(item) {
      if (item.state === "refused") return t("state_refused") + ": " + item.error;
      return t("item_state_" + item.state);
    }

    function draw() {
      outbox.list().then(function (items) {
        items.sort(function (a, b) { return a.id - b.id; });
        if (!items.length) {
          listBox.replaceChildren(h("li", { class: "alert alert-success", id: "outbox-empty" }, [t("outbox_empty")]));
          return;
        }
        listBox.replaceChildren.apply(listBox, items.map(function (item) {
          var url = item.url || "/o/" + encodeURIComponent(item.org) + "/appraisal/scoring/" + item.assignment + "/";
          return h("li", { class: "card card-body outbox-item", id: "outbox-item-" + item.id, dataset: { state: item.state, kind: item.kind } }, [
            h("div", { class: "d-flex flex-wrap justify-content-between gap-2" }, [
              h("span", { class: "fw-semibold" }, [item.label || t("a_model")]),
              h("span", { class: "badge outbox-state outbox-state-" + item.state }, [t("item_state_" + item.state)]),
            ]),
            h("div", {}, [t(KIND_TEXT[item.kind]), item.kind === "scorecard" && item.body.submit ? " · " + t("kind_submit") : "", " · ", shownMoment(item.created_at)]),
            item.state === "refused" ? h("div", { class: "text-danger outbox-error" }, [stateText(item)]) : null,
            item.state === "conflict" ? h("a", { href: url, class: "btn btn-outline-danger align-self-start" }, [t("resolve_conflict")]) : null,
            item.state === "signin" ? h("a", { href: loginUrl(), class: "btn btn-outline-danger align-self-start" }, [t("signin_again")]) : null,
            item.state === "refused" ? h("button", { type: "button", class: "btn btn-outline-secondary align-self-start", onclick: function () {
              if (window.confirm(t("drop_confirm"))) outbox.remove(item.id);
            } }, [t("drop")]) : null,
          ]);
        }));
      });
    }
    function drawLastSync() {
      outbox.lastSync().then(function (value) {
        lastSync.textContent = value ? t("last_sync", { at: shownMoment(value) }) : "";
      });
    }
    outbox.subscribe(function (event) {
      if (event.type === "items" || event.type === "sync-end") {
        draw();
        drawLastSync();
      }
    });
    draw();
    drawLastSync();
  }

  function init() {
    loadStrings();
    var list = document.getElementById("scoring-list");
    if (list) initList(list);
    var one = document.getElementById("scoring-assignment");
    if (one) initAssignment(one);
    var page = document.getElementById("outbox-page");
    if (page) initOutboxPage(page);
    if (list || one || page) initOutboxBar();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
