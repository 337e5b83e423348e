"""The member's tablet pages in real Chromium at 768×1024 (static/js/scoring.js over the
scoring API, no inline script under the CSP): score every criterion, see the total, save a
draft, reload, submit and find it locked; and a stale save, where "Giữ bản của tôi" wins."""

import datetime
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scope, scopes_disabled

from appraisal.models import Scorecard, ScorePhoto, Visit, VisitMember
from appraisal.scoring_services import LineInput, scorecard_save
from tests.appraisal.scoring_builders import scoring_world
from tests.conftest import sign_in
from tests.test_browser import SHOTS, browser  # noqa: F401  (the module's Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
# Copies for the report (the lead reads them there); var/screenshots stays the suite's own.
REPORT_SHOTS = Path("/work/briefs/shots")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if REPORT_SHOTS.is_dir():
        shutil.copy(path, REPORT_SHOTS / path.name)


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def _buttons_are_touch_sized(page):
    heights = page.evaluate(
        """() => Array.from(document.querySelectorAll('main button, main .btn, main input, main textarea'))
             .filter(e => e.offsetParent !== null && !e.classList.contains('visually-hidden'))
             .map(e => [e.id || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])"""
    )
    small = [(name, h) for name, h in heights if h < 44]
    assert heights and small == [], small


def _text_is_large_enough(page):
    smallest = page.evaluate(
        """() => Math.min(...Array.from(
               document.querySelectorAll('#pane-dossier dd, #pane-dossier p, .scoring-criterion label'))
             .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    assert smallest >= 16


def _world(tree, commune_staff):
    world = scoring_world(tree, commune_staff)
    with scopes_disabled():
        visit = Visit.objects.create(
            board=world.board,
            registration=world.registrations[0],
            visit_on=datetime.date(2026, 12, 2),
            place="Nhà văn hóa Xóm Một",
        )
        VisitMember.objects.create(visit=visit, member=world.member)
    return world


def _page(browser, live_server, user, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    sign_in(context, live_server.url, user)
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def _jpeg():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 18, 27)).save(out, "JPEG")
    return out.getvalue()


def _card(assignment):
    with scopes_disabled():
        return Scorecard.objects.filter(assignment=assignment).first()


def test_a_member_scores_saves_reloads_and_submits_one_model_on_a_tablet(browser, live_server, tree, commune_staff):  # noqa: F811
    world = _world(tree, commune_staff)
    mine = world.assignment(world.member)
    context, page, problems = _page(browser, live_server, world.member.user, PORTRAIT)

    page.goto(f"{live_server.url}/o/COMM/appraisal/scoring/")
    page.wait_for_selector(f"#scoring-item-{mine.pk}")
    assert page.inner_text("#scoring-counts-submitted") == "0/2 đã nộp"
    assert "02/12/2026" in page.inner_text("#scoring-list")
    assert page.inner_text(f"#scoring-item-{mine.pk} .badge") == "Chưa chấm"
    _no_sideways_scroll(page)
    _buttons_are_touch_sized(page)
    _shot(page, "scoring-list-portrait")

    page.click(f"#scoring-item-{mine.pk}")
    page.wait_for_selector("#dossier-plan")
    _text_is_large_enough(page)
    _no_sideways_scroll(page)
    _shot(page, "scoring-dossier-portrait")
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard:not([hidden])")
    criteria = world.criteria
    # Submitting a blank card names the criteria left to score, before any confirmation.
    page.click("#scorecard-submit")
    page.wait_for_selector("text=Chưa chấm tiêu chí này")
    assert not page.is_visible("#scorecard-confirm")
    # 80% of each maximum typed, the last one reached with the + stepper from one below.
    for c in criteria[:-1]:
        page.fill(f"#points-{c.pk}", str(c.max_points * 4 // 5))
    last = criteria[-1]
    page.fill(f"#points-{last.pk}", str(last.max_points * 4 // 5 - 1))
    page.click(f"#criterion-{last.pk} [data-step='1']")
    page.fill(f"#comment-{criteria[0].pk}", "Hiệu quả rõ")
    page.fill("#scorecard-comment", "Mô hình tốt")
    total = sum(c.max_points * 4 // 5 for c in criteria)
    max_total = sum(c.max_points for c in criteria)
    assert page.inner_text("#scorecard-total") == f"Tổng điểm: {total} / {max_total}"
    # A point over the maximum is named at its criterion before anything is sent.
    page.fill(f"#points-{criteria[1].pk}", str(criteria[1].max_points + 1))
    assert "từ 0 đến" in page.inner_text(f"#points-{criteria[1].pk}-error")
    page.fill(f"#points-{criteria[1].pk}", str(criteria[1].max_points * 4 // 5))
    assert page.inner_text(f"#points-{criteria[1].pk}-error") == ""
    # An on-site photo: sent at once (its own key), its thumbnail shown; it makes the card,
    # whose version the next save is based on.
    page.set_input_files(
        "#scorecard-photo-input", files=[{"name": "hien-truong.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}]
    )
    # Kept on the tablet first (the outbox), shown from its blob; then sent.
    page.wait_for_selector("#scorecard-photo-list li[data-state='sent'] img")
    with scopes_disabled():
        assert ScorePhoto.objects.filter(scorecard__assignment=mine).count() == 1
    _no_sideways_scroll(page)
    _buttons_are_touch_sized(page)
    _shot(page, "scoring-scorecard-portrait")

    page.click("#scorecard-save")
    page.wait_for_selector("#scorecard-status[data-state='saved']")
    card = _card(mine)
    assert (card.status, card.version, card.total, card.comment) == ("draft", 2, Decimal(total), "Mô hình tốt")

    page.reload()
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard:not([hidden])")
    assert [page.input_value(f"#points-{c.pk}") for c in criteria] == [str(c.max_points * 4 // 5) for c in criteria]
    assert page.input_value(f"#comment-{criteria[0].pk}") == "Hiệu quả rõ"
    assert page.input_value("#scorecard-comment") == "Mô hình tốt"
    assert page.locator("#scorecard-photo-list img").count() == 1

    # On its side the tablet shows the dossier and the scorecard together (no tabs).
    page.set_viewport_size(LANDSCAPE)
    page.wait_for_selector("#dossier-plan", state="visible")
    assert page.is_visible("#scorecard-save")
    assert not page.is_visible("#scoring-tabs")
    _no_sideways_scroll(page)
    _buttons_are_touch_sized(page)
    _shot(page, "scoring-scorecard-landscape")

    page.click("#scorecard-submit")
    page.wait_for_selector("#scorecard-confirm[open]")
    assert "bị khóa" in page.inner_text("#scorecard-confirm")
    page.click("#scorecard-confirm-ok")
    page.wait_for_selector("#scorecard-locked")
    assert "Chỉ Trưởng đoàn mở lại được" in page.inner_text("#scorecard-locked")
    assert page.is_disabled(f"#points-{criteria[0].pk}") and not page.is_visible("#scorecard-save")
    card = _card(mine)
    assert (card.status, card.version) == ("submitted", 3)
    _shot(page, "scoring-submitted-landscape")

    page.goto(f"{live_server.url}/o/COMM/appraisal/scoring/")
    page.wait_for_selector(f"#scoring-item-{mine.pk}")
    assert page.inner_text("#scoring-counts-submitted") == "1/2 đã nộp"
    assert page.inner_text(f"#scoring-item-{mine.pk} .badge") == "Đã chấm"
    _shot(page, "scoring-list-landscape")
    assert problems == []
    context.close()


def test_a_stale_save_shows_both_copies_and_keeping_mine_wins(browser, live_server, tree, commune_staff):  # noqa: F811
    world = _world(tree, commune_staff)
    mine = world.assignment(world.member)
    # On a phone, to see it usable at 375 px as well.
    context, page, problems = _page(browser, live_server, world.member.user, {"width": 375, "height": 812})
    page.goto(f"{live_server.url}/o/COMM/appraisal/scoring/{mine.pk}/")
    page.click("#tab-scorecard")
    page.wait_for_selector("#scorecard:not([hidden])")
    criteria = world.criteria
    for c in criteria:
        page.fill(f"#points-{c.pk}", "10")

    # Meanwhile another tab of the member saves the card.
    with scope(org=tree.commune):
        scorecard_save(
            assignment=mine,
            lines=[LineInput(c.pk, 5) for c in criteria],
            comment="Bản ở thẻ khác",
            expected_version=0,
            user=world.member.user,
        )
    page.click("#scorecard-save")
    page.wait_for_selector("#stale-keep-mine")
    stale = page.inner_text("#scorecard-stale")
    assert "Bản ở thẻ khác" in stale and "Bản trên máy chủ" in stale
    assert page.is_visible("#stale-use-theirs")
    assert _card(mine).version == 1  # nothing overwritten, nothing merged
    _no_sideways_scroll(page)
    _buttons_are_touch_sized(page)
    _shot(page, "scoring-stale-phone")

    page.click("#stale-keep-mine")
    page.wait_for_selector("#scorecard-status[data-state='saved']")
    card = _card(mine)
    assert (card.version, card.total, card.comment) == (2, Decimal(10 * len(criteria)), "")
    assert page.is_hidden("#scorecard-stale")
    # The refused save answered 409 on purpose; nothing else went wrong.
    assert [p for p in problems if "status of 409" not in p] == []
    context.close()
