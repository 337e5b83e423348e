"""The staff list of registrations (/o/<code>/registrations/) and its bulk accept / return.

The list shows the acting organisation's subtree only, filtered, searched and sorted as the
API does (models_registry.selectors.registrations_for_list)."""

import datetime
import unicodedata
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from campaigns.enums import RegistrationStatus as S
from campaigns.enums import SubjectType
from campaigns.models import Field
from models_registry.models import Registration
from tests.campaigns.builders import campaign
from tests.conftest import client_for, table_counts
from tests.registry.builders import complete_registration

LIST = "/o/COMM/registrations/"
BULK = "/o/COMM/registrations/bulk/"


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", target_levels=["unit"])


@pytest.fixture
def province_plan(tree):
    return campaign(tree.province, "54-KH/BDVTU", target_levels=["commune"])


def names_in(response):
    """Model names of the rows, in page order."""
    with scopes_disabled():
        names = list(Registration.objects.values_list("initiative__name", flat=True))
    body = response.content.decode()
    found = [(body.find(f">{name}</a>"), name) for name in names if f">{name}</a>" in body]
    return [name for _pos, name in sorted(found)]


def get(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return response


def test_list_shows_the_subtree_with_its_columns(as_commune_staff, tree, plan):
    unit = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    complete_registration(
        plan,
        tree.mttq,
        name="Mái ấm cho hộ nghèo",
        status=S.ACCEPTED,
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Trần Thị Ánh",
    )
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    with scopes_disabled():
        Registration.objects.filter(pk=unit.pk).update(
            submitted_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), is_late=True
        )

    response = get(as_commune_staff)
    body = response.content.decode()
    assert sorted(names_in(response)) == ["Mái ấm cho hộ nghèo", "Tuyến đường hoa"]
    assert "Mô hình của xã bên" not in body
    assert f'href="/o/COMM/registrations/{unit.pk}/"' in body
    assert "Chi bộ Xóm 1" in body and "Ủy ban MTTQ xã Diễn Châu" in body
    assert "Trần Thị Ánh" in body and "Tập thể" in body
    assert "Văn hóa - xã hội" in body
    assert "Đã gửi" in body and "Đã duyệt" in body
    assert "02/03/2026" in body
    assert ">Muộn</span>" in body
    assert "2 đăng ký" in body
    assert 'class="table-responsive"' in body and "table-responsive-stack" in body


def test_each_filter_narrows_the_list(as_commune_staff, tree, plan, province_plan):
    economy = Field.objects.get(code="kinh-te")
    complete_registration(plan, tree.unit, name="Nuôi bò sinh sản", status=S.SUBMITTED, field=economy)
    complete_registration(plan, tree.unit, name="Nháp còn dở", status=S.DRAFT)
    complete_registration(
        plan,
        tree.mttq,
        name="Một kèm một",
        status=S.ACCEPTED,
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Lê Văn Bình",
    )
    complete_registration(province_plan, tree.commune, name="Dân vận khéo cấp xã", status=S.SUBMITTED)

    assert names_in(get(as_commune_staff, campaign=province_plan.pk)) == ["Dân vận khéo cấp xã"]
    assert names_in(get(as_commune_staff, field="kinh-te")) == ["Nuôi bò sinh sản"]
    assert names_in(get(as_commune_staff, status="draft")) == ["Nháp còn dở"]
    assert names_in(get(as_commune_staff, subject_type="individual")) == ["Một kèm một"]
    assert names_in(get(as_commune_staff, org="UNIT", sort="name")) == ["Nuôi bò sinh sản"]  # counted only
    assert names_in(get(as_commune_staff, org="UNIT", sort="name", status="all")) == ["Nháp còn dở", "Nuôi bò sinh sản"]
    assert names_in(get(as_commune_staff, org="unit", campaign=plan.pk, status="submitted")) == ["Nuôi bò sinh sản"]
    # Unknown values of the choice filters are dropped, not fatal (the status falls back to the
    # default: what counts toward quotas, so not the draft).
    assert len(names_in(get(as_commune_staff, status="bogus", field="nope", sort="evil", campaign="x"))) == 3


@pytest.mark.parametrize("code", ["SIBU", "SIBL", "PROV", "NOPE"])
def test_an_organisation_outside_the_scope_empties_the_list_the_same_way(as_commune_staff, tree, plan, code):
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    response = get(as_commune_staff, org=code)
    body = response.content.decode()
    assert names_in(response) == []
    assert f"Không có tổ chức mã {code} trong phạm vi được xem." in body
    assert "Xã Diễn Thịnh" not in body and "Chi bộ Xóm 9" not in body


def test_a_campaign_of_another_commune_filters_nothing_in(as_commune_staff, tree, plan):
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    response = get(as_commune_staff, campaign=other.pk)
    assert names_in(response) == ["Tuyến đường hoa"]
    assert "02-KH/ĐU" not in response.content.decode()


def test_search_ignores_diacritics_and_spelling_variants(as_commune_staff, tree, plan):
    for name in ("Dân vận khéo xóm Đông", "Uỷ ban vận động", "Đoàn kết giúp nhau", "Tuyến đường hoa"):
        complete_registration(plan, tree.unit, name=name, status=S.SUBMITTED)
    assert names_in(get(as_commune_staff, q="dan van kheo")) == ["Dân vận khéo xóm Đông"]
    assert names_in(get(as_commune_staff, q="kheo dan")) == ["Dân vận khéo xóm Đông"]
    assert names_in(get(as_commune_staff, q="Ủy ban")) == ["Uỷ ban vận động"]
    assert names_in(get(as_commune_staff, q="doan ket")) == ["Đoàn kết giúp nhau"]
    assert names_in(get(as_commune_staff, q="xom dong")) == ["Dân vận khéo xóm Đông"]
    decomposed = unicodedata.normalize("NFD", "Dân vận khéo")
    assert names_in(get(as_commune_staff, q=decomposed)) == ["Dân vận khéo xóm Đông"]


def test_search_finds_person_names(as_commune_staff, tree, plan):
    complete_registration(
        plan,
        tree.unit,
        name="Một kèm một",
        subject_type=SubjectType.INDIVIDUAL,
        person_name="Nguyễn Thị Hoà",
        status=S.SUBMITTED,
    )
    complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    assert names_in(get(as_commune_staff, q="nguyen thi hoa", sort="name")) == ["Một kèm một"]


def test_exact_diacritic_match_comes_first(as_commune_staff, tree, plan):
    complete_registration(plan, tree.unit, name="Dàn vân an toàn", status=S.SUBMITTED)
    complete_registration(plan, tree.unit, name="Dân vận khéo", status=S.SUBMITTED)
    # By name alone "dan van an toan" sorts first; the exact match wins.
    assert names_in(get(as_commune_staff, sort="name")) == ["Dàn vân an toàn", "Dân vận khéo"]
    assert names_in(get(as_commune_staff, q="Dân vận", sort="name")) == ["Dân vận khéo", "Dàn vân an toàn"]


def test_person_sort_is_vietnamese_order_by_given_name(as_commune_staff, tree, plan):
    for name, person in (("Mô hình B", "Lê Văn Bình"), ("Mô hình A", "Trần Thị Ánh"), ("Mô hình C", "Nguyễn Văn An")):
        complete_registration(
            plan, tree.unit, name=name, subject_type=SubjectType.INDIVIDUAL, person_name=person, status=S.SUBMITTED
        )
    assert names_in(get(as_commune_staff, sort="person")) == ["Mô hình C", "Mô hình A", "Mô hình B"]


def test_sorts_by_org_name_status_and_submission(as_commune_staff, tree, plan):
    a = complete_registration(plan, tree.mttq, name="Bông hoa", status=S.ACCEPTED)
    b = complete_registration(plan, tree.unit, name="Áo ấm", status=S.SUBMITTED)
    with scopes_disabled():
        Registration.objects.filter(pk=a.pk).update(submitted_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
        Registration.objects.filter(pk=b.pk).update(submitted_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    assert names_in(get(as_commune_staff, sort="org")) == ["Áo ấm", "Bông hoa"]  # UNIT was added before MTTQ
    assert names_in(get(as_commune_staff, sort="name")) == ["Áo ấm", "Bông hoa"]
    assert names_in(get(as_commune_staff, sort="status")) == ["Bông hoa", "Áo ấm"]  # accepted < submitted
    assert names_in(get(as_commune_staff, sort="-submitted")) == ["Bông hoa", "Áo ấm"]


def test_list_is_paginated_by_fifty(as_commune_staff, tree, plan):
    for i in range(51):
        complete_registration(plan, tree.unit, name=f"Mô hình {i:02d}", status=S.SUBMITTED)
    first = get(as_commune_staff, sort="name")
    assert len(names_in(first)) == 50
    assert "Trang 1/2" in first.content.decode()
    assert names_in(get(as_commune_staff, sort="name", page=2)) == ["Mô hình 50"]


def test_export_link_carries_the_filters(as_commune_staff, tree, plan):
    response = get(as_commune_staff, q="hoa", status="submitted", campaign=plan.pk, sort="name", page=2)
    body = response.content.decode()
    assert (
        f'href="/o/COMM/registrations/export.xlsx?q=hoa&amp;campaign={plan.pk}&amp;status=submitted&amp;sort=name"'
        in body
    )
    assert 'href="/o/COMM/registrations/import/"' in body


def test_secretary_sees_only_their_unit_and_cannot_review_or_import(secretary, tree, plan):
    own = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    complete_registration(plan, tree.mttq, name="Mái ấm cho hộ nghèo", status=S.SUBMITTED)
    client = client_for(secretary)
    response = client.get("/o/UNIT/registrations/")
    body = response.content.decode()
    assert names_in(response) == ["Tuyến đường hoa"]
    assert "Mái ấm cho hộ nghèo" not in body
    assert 'name="ids"' not in body
    assert "/registrations/import/" not in body
    assert client.get("/o/COMM/registrations/").status_code == 404
    assert client.get("/o/UNIT/registrations/", {"org": "MTTQ"}).content.decode().count("registration-row") == 0
    # Naming their own row in a bulk review: it is found, and refused (not a reviewer).
    response = client.post("/o/UNIT/registrations/bulk/", {"ids": [own.pk], "action": "accept"})
    assert response.status_code == 403
    assert "Bạn không có quyền duyệt các đăng ký đã chọn." in response.content.decode()
    own.refresh_from_db()
    assert own.status == S.SUBMITTED
    assert client.get("/o/UNIT/registrations/import/").status_code == 403


def test_reviewer_gets_checkboxes_for_rows_they_may_review(as_commune_staff, tree, plan, province_plan):
    own = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    above = complete_registration(province_plan, tree.commune, name="Mô hình cấp xã", status=S.SUBMITTED)
    body = get(as_commune_staff).content.decode()
    assert f'name="ids" value="{own.pk}"' in body
    # The province's plan is reviewed by the province's staff, not the commune's.
    assert f'name="ids" value="{above.pk}"' not in body


def test_bulk_accept_accepts_submitted_ones_and_skips_the_rest(as_commune_staff, commune_staff, tree, plan):
    first = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    second = complete_registration(plan, tree.mttq, name="Mái ấm cho hộ nghèo", status=S.SUBMITTED)
    draft = complete_registration(plan, tree.unit, name="Nháp còn dở", status=S.DRAFT)
    response = as_commune_staff.post(
        BULK, {"ids": [first.pk, second.pk, draft.pk], "action": "accept", "next": LIST + "?status=submitted"}
    )
    assert response.status_code == 302 and response["Location"] == LIST + "?status=submitted"
    body = as_commune_staff.get(response["Location"]).content.decode()
    assert "Đã duyệt 2 đăng ký." in body
    assert "Bỏ qua 1 đăng ký: “Nháp còn dở” (Chi bộ Xóm 1): đang ở trạng thái “Nháp”, không chờ duyệt." in body
    for registration, status in ((first, S.ACCEPTED), (second, S.ACCEPTED), (draft, S.DRAFT)):
        registration.refresh_from_db()
        assert registration.status == status
    assert first.reviewed_by == commune_staff
    assert first.history.count() == 2


def test_bulk_return_requires_a_comment(as_commune_staff, tree, plan):
    registration = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    before = table_counts()
    response = as_commune_staff.post(BULK, {"ids": [registration.pk], "action": "return", "comment": "  "}, follow=True)
    assert "Trả lại đăng ký thì phải ghi ý kiến" in response.content.decode()
    assert table_counts() == before
    registration.refresh_from_db()
    assert registration.status == S.SUBMITTED

    response = as_commune_staff.post(
        BULK, {"ids": [registration.pk], "action": "return", "comment": "Bổ sung kết quả cần đạt"}, follow=True
    )
    assert "Đã trả lại 1 đăng ký để sửa." in response.content.decode()
    registration.refresh_from_db()
    assert (registration.status, registration.review_comment) == (S.RETURNED, "Bổ sung kết quả cần đạt")


def test_bulk_with_nothing_selected_or_a_bad_action_changes_nothing(as_commune_staff, tree, plan):
    registration = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    before = table_counts()
    assert "Chưa chọn đăng ký nào." in as_commune_staff.post(BULK, {"action": "accept"}, follow=True).content.decode()
    as_commune_staff.post(BULK, {"ids": [registration.pk], "action": "delete"})
    assert as_commune_staff.post(BULK, {"ids": ["abc"], "action": "accept"}).status_code == 404
    assert table_counts() == before


def test_bulk_naming_a_registration_outside_the_scope_is_not_found(as_commune_staff, tree, plan):
    own = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    other = campaign(tree.sibling, "02-KH/ĐU", target_levels=["unit"])
    foreign = complete_registration(other, tree.sibling_unit, name="Mô hình của xã bên", status=S.SUBMITTED)
    before = table_counts()
    response = as_commune_staff.post(BULK, {"ids": [own.pk, foreign.pk], "action": "accept"})
    assert response.status_code == 404
    response = as_commune_staff.post(BULK, {"ids": [own.pk, 999999], "action": "accept"})
    assert response.status_code == 404
    assert table_counts() == before
    own.refresh_from_db()
    assert own.status == S.SUBMITTED


def test_outsider_bulk_through_their_own_commune_does_not_touch_the_victim(as_outsider, tree, plan):
    victim = complete_registration(plan, tree.unit, name="Tuyến đường hoa", status=S.SUBMITTED)
    before = table_counts()
    for url in ("/o/SIBL/registrations/bulk/", "/o/COMM/registrations/bulk/"):
        response = as_outsider.post(url, {"ids": [victim.pk], "action": "return", "comment": "x"})
        assert response.status_code == 404
    assert table_counts() == before
    victim.refresh_from_db()
    assert (victim.status, victim.version) == (S.SUBMITTED, 2)


def _count_queries(client, url):
    client.get(url)  # warm per-process caches so both sizes compare alike
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "params", ["", "?campaign=PLAN&q=mo+hinh&sort=person", "?org=UNIT&status=submitted&field=van-hoa-xa-hoi"]
)
def test_list_queries_do_not_grow_with_rows(as_commune_staff, tree, plan, django_assert_num_queries, params):
    url = LIST + params.replace("PLAN", str(plan.pk))
    complete_registration(plan, tree.unit, name="Mô hình 0", status=S.SUBMITTED)
    n, response = _count_queries(as_commune_staff, url)
    assert response.content.decode().count("registration-row") == 1
    for i in range(1, 30):
        complete_registration(
            plan,
            tree.unit,
            name=f"Mô hình {i}",
            status=S.SUBMITTED,
            subject_type=SubjectType.INDIVIDUAL if i % 2 else SubjectType.COLLECTIVE,
        )
    with django_assert_num_queries(n):
        response = as_commune_staff.get(url)
    assert response.content.decode().count("registration-row") == 30


@pytest.fixture(scope="module")
def browser():
    import os
    import shutil

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1366])
def test_list_fits_a_phone_and_bulk_accepts_in_a_real_browser(width, browser, live_server, commune_staff, tree):
    plan = campaign(tree.commune, "01-KH/ĐU", target_levels=["unit"])
    for i in range(3):
        complete_registration(
            plan,
            tree.unit,
            name=f"Mô hình có tên rất dài để thử xuống dòng trên điện thoại số {i}",
            status=S.SUBMITTED,
            subject_type=SubjectType.INDIVIDUAL,
            person_name="Nguyễn Thị Hoa",
        )
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="vi-VN")
    context.add_cookies([_session_cookie(commune_staff, live_server.url)])
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}{LIST}")
    assert page.locator(".registration-row").count() == 3
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{width}px: the page scrolls sideways by {overflow}px"
    shots = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"registrations-{width}.png"), full_page=True)
    if width < 576:  # the header row, with "select all", folds away on a phone
        for box in page.locator("input.row-select").all():
            box.check()
    else:
        page.check("#select-all")
        assert page.locator("input.row-select:checked").count() == 3
    page.click("#bulk-submit")
    page.wait_for_selector("text=Đã duyệt 3 đăng ký.")
    assert problems == []
    context.close()
    with scopes_disabled():
        assert set(Registration.objects.values_list("status", flat=True)) == {S.ACCEPTED}


def _session_cookie(user, url):
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client_for(user).cookies[name].value, "url": url}
