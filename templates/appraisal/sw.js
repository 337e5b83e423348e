{% load i18n %}/* DVK's service worker (appraisal/pwa.py serves it at /sw.js). Version {{ version }}.

   - The static shell: cache-first from `dvk-shell-<version>` (a new list of files is a new
     cache, the old one is dropped).
   - The user's routes (the scoring pages, /outbox/, the scoring API's reads of assignments
     and their images): network first, with a timeout so that lie-fi does not hang a page. A
     200 answer that names its user (X-DVK-User) is kept in that user's cache,
     `dvk-user-<key>`, and `dvk-meta` notes the key. With no answer (or a 5xx) the worker
     answers from the cache of the user in `dvk-meta` only, never another's, marked
     `X-DVK-From-Cache: 1`; with nothing kept, a small offline page or a 503 JSON.
   See docs/OFFLINE.md. */
"use strict";
const CACHE = "dvk-shell-{{ version }}";
const SHELL = {{ shell|safe }};
const USER_CACHE = "dvk-user-";
const META = "dvk-meta";
const META_USER = "/__dvk/user";
const SIGNED_OUT = "/__dvk/signed-out/";
const TIMEOUT_MS = {{ timeout_ms }};
const USER_PAGES = new RegExp({{ user_pages|safe }});
const USER_API = new RegExp({{ user_api|safe }});
// An evidence file may be a document (a download): only an image is kept.
const EVIDENCE_FILE = /\/evidence\/\d+\/file\/$/;
const KEY = /^[0-9a-f]{16}$/;
const OUTBOX_URL = "{{ outbox_url|escapejs }}";
const STYLESHEET = "{{ stylesheet|escapejs }}";
const TEXT = {
  title: "{% translate 'Không có mạng' as s %}{{ s|escapejs }}",
  body: "{% translate 'Trang này chưa được lưu trên máy để xem khi không có mạng. Hãy mở lại khi có mạng. Những gì bạn đã lưu trên máy vẫn còn trong hộp thư đi.' as s %}{{ s|escapejs }}",
  outbox: "{% translate 'Mở hộp thư đi' as s %}{{ s|escapejs }}",
  api: "{% translate 'Không có mạng và máy chưa lưu dữ liệu này.' as s %}{{ s|escapejs }}",
};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("dvk-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    // The shell's names change with their content in production (hashed): the cached copy is current.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match(request, { ignoreSearch: true })).then((hit) => hit || fetch(request))
    );
    return;
  }
  // A page (navigated to, or fetched by offline.js to keep it) or an API read of the user's.
  if (USER_PAGES.test(url.pathname)) event.respondWith(userRoute(event, true));
  else if (USER_API.test(url.pathname)) event.respondWith(userRoute(event, false));
});

// Network first; the answer, when it comes, is kept (even after the timeout answered from
// the cache: the next offline visit gets the newer copy).
async function userRoute(event, isPage) {
  const request = event.request;
  const arrived = fetch(request).then(async (response) => {
    await keep(request, response.clone()).catch(() => {});
    return response;
  });
  event.waitUntil(arrived.catch(() => null));
  let response = null;
  try {
    response = await Promise.race([arrived, new Promise((resolve) => setTimeout(() => resolve(null), TIMEOUT_MS))]);
  } catch (e) {
    response = null; // no network
  }
  if (response && (response.type === "opaqueredirect" || response.status < 500)) {
    // A session that ended (401) or a stale CSRF token (403): the member keeps working from
    // the copy while the page asks them to sign in again.
    if (!isPage && (response.status === 401 || response.status === 403)) {
      const copy = await fromCache(request, response.status);
      if (copy) return copy;
    }
    return response;
  }
  const copy = await fromCache(request);
  if (copy) return copy;
  return isPage ? offlinePage() : offlineAnswer();
}

// A user who signed out on this tablet has a mark in dvk-meta (offline.js writes it, and
// removes it on their next signed-in page): an answer that arrives after they signed out does
// not bring their cache back.
async function keep(request, response) {
  const key = response.headers.get("X-DVK-User") || "";
  if (response.status !== 200 || response.redirected || !KEY.test(key)) return;
  const type = response.headers.get("Content-Type") || "";
  if (EVIDENCE_FILE.test(new URL(request.url).pathname) && !type.startsWith("image/")) return;
  if (await signedOut(key)) return;
  const cache = await caches.open(USER_CACHE + key);
  await cache.put(request.url, response);
  if (await signedOut(key)) {
    await caches.delete(USER_CACHE + key); // signed out meanwhile
    return;
  }
  await noteUser(key);
}

async function signedOut(key) {
  const meta = await caches.open(META);
  return !!(await meta.match(SIGNED_OUT + key));
}

let knownUser = null; // dvk-meta's key as this worker last wrote it (a restarted worker writes again)

async function noteUser(key) {
  if (knownUser === key) return;
  const meta = await caches.open(META);
  await meta.put(META_USER, new Response(key, { headers: { "Content-Type": "text/plain" } }));
  knownUser = key;
}

async function currentUser() {
  const meta = await caches.open(META);
  const entry = await meta.match(META_USER);
  const key = entry ? (await entry.text()).trim() : "";
  knownUser = key || null;
  return KEY.test(key) ? key : null;
}

async function fromCache(request, networkStatus) {
  const key = await currentUser();
  if (!key || !(await caches.has(USER_CACHE + key))) return null;
  const cache = await caches.open(USER_CACHE + key);
  const hit = await cache.match(request.url, { ignoreVary: true });
  if (!hit) return null;
  const headers = new Headers(hit.headers);
  headers.set("X-DVK-From-Cache", "1");
  if (networkStatus) headers.set("X-DVK-Network-Status", String(networkStatus));
  return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers: headers });
}

function escaped(text) {
  return text.replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
}

function offlinePage() {
  const html =
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>" + escaped(TEXT.title) + " · DVK</title>" +
    '<link rel="stylesheet" href="' + escaped(STYLESHEET) + '"></head>' +
    '<body><main class="container-lg py-4" id="dvk-offline">' +
    '<h1 class="h3">' + escaped(TEXT.title) + "</h1>" +
    "<p>" + escaped(TEXT.body) + "</p>" +
    '<a class="btn btn-primary btn-lg" href="' + escaped(OUTBOX_URL) + '">' + escaped(TEXT.outbox) + "</a>" +
    "</main></body></html>";
  return new Response(html, {
    status: 503,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'",
      "Cache-Control": "no-store",
    },
  });
}

function offlineAnswer() {
  return new Response(JSON.stringify({ detail: TEXT.api, code: "offline" }), {
    status: 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
