"""`make bench` (offline reading): a board member's tablet reads its list with no connection,
in Debian's Chromium driven by Playwright at 768×1024, on PostgreSQL with DEBUG off, in the
`dvk_bench` database (DVK_DB_NAME to choose another).

Data: bench/scoring.py's BSCO-C commune (built there when missing): 60 registrations assigned
to a member who reaches the board through a seat, each with 5 evidence files (one an image
with its thumbnail), a report, a submitted dossier and a visit.

Served by a real HTTP server on loopback (Django's live server thread, static files from the
finders). The member opens their list online and waits until offline.js has kept the
dossiers (DVKOffline.keepList: each page, dossier, scorecard and thumbnail through the
service worker); then the server is stopped and the context set offline, and the list is
reloaded. Figures:
  - the list offline: navigation start to the list rendered (the first item in the list,
    taken by a MutationObserver in the page against the Performance API's clock), median of
    the reloads, target < 1 s;
  - the tablet's stored data: navigator.storage.estimate().usage, target < 50 MB (and the
    bytes in the member's cache, summed, to say what it is made of);
  - how long keeping the 60 dossiers took online (for information).

Usage: python bench/offline.py [--rebuild] [--runs 7]
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from boards import DB, ensure_database  # noqa: E402  (sets the settings and the database first)

LIST_TARGET_MS, STORED_TARGET_MB = 1000, 50
TABLET = {"width": 768, "height": 1024}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Run in every page before its scripts (through the browser's DevTools protocol, not a
# script tag, so the page's Content-Security-Policy is unchanged): when the list's first item
# appears, the time since the navigation started.
RENDERED = """
new MutationObserver((_, observer) => {
  if (document.querySelector("#scoring-list .scoring-item")) {
    window.__dvkListRendered = performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""

STORED = """async (key) => {
  const estimate = await navigator.storage.estimate();
  const cache = await caches.open("dvk-user-" + key);
  let bytes = 0, entries = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    bytes += (await response.blob()).size;
    entries += 1;
  }
  return { usage: estimate.usage, quota: estimate.quota, cache_bytes: bytes, cache_entries: entries };
}"""


def serve():
    """Django's live server thread on loopback (the pages, the API and the static files)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return thread, f"http://localhost:{thread.port}"


def bench_offline_list(built, runs):
    from django.conf import settings
    from playwright.sync_api import sync_playwright
    from run import signed_in
    from scoring import BIG

    from dvk.models import User
    from dvk.offline import user_key

    username = built[BIG].members[1]  # a member through a seat
    items = len(built[BIG].assignments[username])
    key = user_key(User.objects.get(username=username))
    cookie = signed_in(username).cookies[settings.SESSION_COOKIE_NAME].value
    thread, base = serve()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the server thread's ORM next to Playwright's loop
    list_url = f"{base}/o/{BIG}/appraisal/scoring/"
    stopped = False
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            context = browser.new_context(viewport=TABLET, locale="vi-VN")
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
            context.add_init_script(RENDERED)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(list_url)
            page.wait_for_selector("html[data-offline-kept]", state="attached", timeout=300_000)
            kept_s = time.perf_counter() - started
            kept = int(page.get_attribute("html", "data-offline-kept"))
            # A second online visit: the worker now controls the page from its start.
            page.reload()
            page.wait_for_selector("#scoring-list .scoring-item")
            online_ms = page.evaluate("window.__dvkListRendered")

            # Offline: the server is gone (a refused connection fails at once, as with no
            # network; Playwright's route() would add a round trip to this script to each
            # request) and the context is set offline (which alone does not cut the
            # worker's fetches, microsoft/playwright#2311).
            thread.terminate()
            stopped = True
            context.set_offline(True)
            times = []
            for _ in range(runs):
                page.reload()
                page.wait_for_selector("#scoring-list .scoring-item")
                rendered = page.evaluate("window.__dvkListRendered")
                shown = page.locator("#scoring-list .scoring-item").count()
                if shown != items:
                    raise SystemExit(f"offline list shows {shown} of {items} items")
                times.append(rendered)
            stored = page.evaluate(STORED, key)
            browser.close()
    finally:
        if not stopped:
            thread.terminate()

    median = statistics.median(times)
    usage_mb = stored["usage"] / 1024 / 1024
    print(f"\nDVK offline reading bench on {DB}, DEBUG={settings.DEBUG}, Chromium at 768×1024")
    print(f"  assignments on the member's list: {items}; kept for offline: {kept} in {kept_s:.1f} s online")
    print(f"  list rendered online (worker in control): {online_ms:.0f} ms")
    verdict = "OK" if median < LIST_TARGET_MS else "MISSED"
    print(
        f"  list rendered offline, navigation start to first item, median of {runs}: {median:.0f} ms "
        f"(min {min(times):.0f}, max {max(times):.0f})  target < {LIST_TARGET_MS} ms {verdict}"
    )
    verdict = "OK" if usage_mb < STORED_TARGET_MB else "MISSED"
    print(
        f"  stored on the tablet (navigator.storage.estimate().usage): {usage_mb:.2f} MB  "
        f"target < {STORED_TARGET_MB} MB {verdict}"
    )
    print(
        f"  of which the member's cache: {stored['cache_entries']} entries, "
        f"{stored['cache_bytes'] / 1024 / 1024:.2f} MB of bodies"
    )
    return {
        "items": items,
        "kept": kept,
        "keep_seconds": round(kept_s, 2),
        "online_list_ms": round(online_ms, 1),
        "offline_list_ms": {"median": round(median, 1), "min": round(min(times), 1), "max": round(max(times), 1)},
        "offline_list_target_ms": LIST_TARGET_MS,
        "usage_bytes": stored["usage"],
        "usage_target_mb": STORED_TARGET_MB,
        "cache_entries": stored["cache_entries"],
        "cache_bytes": stored["cache_bytes"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="rebuild the scoring bench tree")
    parser.add_argument("--runs", type=int, default=7)
    args, _others = parser.parse_known_args()  # `make bench` passes the same BENCH_ARGS to every part
    ensure_database()
    from django.conf import settings
    from scoring import ensure_scoring_data

    assert not settings.DEBUG
    built = ensure_scoring_data(args.rebuild)
    result = bench_offline_list(built, args.runs)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "offline.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
