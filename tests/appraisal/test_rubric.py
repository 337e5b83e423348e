"""A campaign's rubric: the default it starts from, who sees and who edits it, what a bad
rubric is told, the lock, two tabs, the copy by value with a copied or derived campaign, and
the campaign page's panel."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from appraisal import services
from appraisal.models import Criterion, Rubric
from campaigns import services as campaign_services
from campaigns.enums import CampaignStatus
from tests.appraisal.helpers import BANDS, DEFAULT, rubric_form
from tests.campaigns.builders import campaign
from tests.conftest import client_for, table_counts

D = datetime.date


@pytest.fixture
def plan(tree):
    return campaign(tree.commune, "01-KH/ĐU", registration_due=D(2026, 3, 5), target_levels=["unit"])


def url(plan, code="COMM"):
    return f"/o/{code}/appraisal/campaigns/{plan.pk}/rubric/"


def stored(plan):
    with scopes_disabled():
        rubric = Rubric.objects.filter(campaign=plan).first()
        if rubric is None:
            return None
        return rubric.threshold, rubric.bands, [(c.name, c.max_points) for c in rubric.criteria.all()], rubric.version


def test_a_campaign_shows_the_default_until_its_first_save_stores_it(plan, as_commune_staff):
    response = as_commune_staff.get(url(plan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đây là bộ tiêu chí mặc định, có thể sửa" in page
    for name, _points in DEFAULT:
        assert name in page
    assert stored(plan) is None
    edited = [("Hiệu quả", 40), *DEFAULT[1:4]]
    response = as_commune_staff.post(url(plan), rubric_form(edited, threshold=65, bands=[("Tốt", 85), ("Đạt", 65)]))
    assert response.status_code == 302
    threshold, bands, criteria, version = stored(plan)
    assert (threshold, criteria, version) == (65, edited, 1)
    assert bands == [{"name": "Tốt", "min": 85}, {"name": "Đạt", "min": 65}]
    page = as_commune_staff.get(url(plan)).content.decode()
    assert "Đây là bộ tiêu chí mặc định" not in page


def test_rows_are_removed_and_reordered(plan, as_commune_staff):
    form = rubric_form(DEFAULT, deleted={1}, order={0: 5, 4: 1}, bands=[("Tốt", 75), ("Đạt", 70)])
    assert as_commune_staff.post(url(plan), form).status_code == 302
    names = [name for name, _ in stored(plan)[2]]
    assert names == ["Sự tham gia và hài lòng của Nhân dân", "Bền vững", "Lan tỏa và khả năng nhân rộng", "Hiệu quả"]


def test_a_unit_reads_the_rubric_and_may_not_edit_it(tree, plan, secretary):
    client = client_for(secretary)
    response = client.get(url(plan, "UNIT"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hiệu quả" in page and 'id="rubric-form"' not in page
    before = table_counts()
    assert client.post(url(plan, "UNIT"), rubric_form()).status_code == 403
    assert table_counts() == before


def test_province_staff_edit_a_commune_plan_but_commune_staff_not_a_province_plan(tree, province_staff, commune_staff):
    upper = campaign(tree.province, "12-HD/BCĐ", target_levels=["commune"])
    lower = campaign(tree.commune, "02-KH/ĐU")
    assert client_for(province_staff).post(url(lower, "PROV"), rubric_form()).status_code == 302
    commune = client_for(commune_staff)
    assert commune.get(url(upper)).status_code == 200
    assert 'id="rubric-form"' not in commune.get(url(upper)).content.decode()
    assert commune.post(url(upper), rubric_form()).status_code == 403
    assert stored(upper) is None


BAD = {
    "maxima summing to nothing": ([], 70, BANDS, "Tổng điểm tối đa của các tiêu chí phải lớn hơn 0"),
    "a maximum of zero": ([("Hiệu quả", 0), ("Sáng tạo", 100)], 70, BANDS, "phải lớn hơn 0"),
    "a negative maximum": ([("Hiệu quả", -5), ("Sáng tạo", 100)], 70, BANDS, "phải lớn hơn 0"),
    "an empty name": ([("", 50), ("Sáng tạo", 50)], 70, BANDS, "Tiêu chí thứ 1 chưa có tên"),
    "a duplicate name": ([("Hiệu quả", 50), ("hiệu quả ", 50)], 70, BANDS, "bị trùng tên"),
    "a threshold above the total": (DEFAULT, 101, BANDS, "vượt tổng điểm tối đa (100)"),
    "bands not descending": (DEFAULT, 70, [("Tốt", 80), ("Xuất sắc", 90)], "phải giảm dần"),
    "a band above the total": (DEFAULT, 70, [("Xuất sắc", 120), ("Đạt", 70)], "vượt tổng điểm tối đa"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_rubric_is_told_why_and_nothing_is_saved(plan, as_commune_staff, case):
    criteria, threshold, bands, message = BAD[case]
    before = table_counts()
    response = as_commune_staff.post(url(plan), rubric_form(criteria, threshold=threshold, bands=bands))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert table_counts() == before


def test_a_bad_edit_of_a_stored_rubric_leaves_it_as_it_was(plan, as_commune_staff):
    as_commune_staff.post(url(plan), rubric_form())
    kept = stored(plan)
    before = table_counts()
    response = as_commune_staff.post(url(plan), rubric_form([("Hiệu quả", 0)], version=1))
    assert response.status_code == 400
    assert stored(plan) == kept and table_counts() == before


def test_two_tabs_never_overwrite_each_other(plan, as_commune_staff):
    """Both read the default (version 0); the first save wins, the second is told to reload."""
    assert as_commune_staff.post(url(plan), rubric_form(threshold=75)).status_code == 302
    response = as_commune_staff.post(url(plan), rubric_form(threshold=60))
    assert response.status_code == 400
    assert "vừa được người khác sửa" in response.content.decode()
    assert stored(plan)[0] == 75
    assert as_commune_staff.post(url(plan), rubric_form(threshold=60, version=1)).status_code == 302
    assert stored(plan)[0] == 60 and stored(plan)[3] == 2


def test_a_locked_rubric_refuses_edits(plan, as_commune_staff, monkeypatch):
    as_commune_staff.post(url(plan), rubric_form())
    monkeypatch.setattr(services, "rubric_locked", lambda rubric: True)
    page = as_commune_staff.get(url(plan)).content.decode()
    assert "bộ tiêu chí đã khóa" in page and 'id="rubric-form"' not in page
    before = table_counts()
    response = as_commune_staff.post(url(plan), rubric_form(threshold=60, version=1))
    assert response.status_code == 400
    assert "bộ tiêu chí đã khóa" in response.content.decode()
    assert table_counts() == before
    with scopes_disabled(), pytest.raises(Exception, match="đã khóa"):
        services.rubric_save(campaign=plan, criteria=[{"name": "A", "max_points": 10}], threshold=5, bands=[])


def test_the_lock_is_open_until_scoring_exists(plan):
    """(Scoring locks it: tests/appraisal/test_scoring_services.py.)"""
    with scope(org=plan.organization):
        assert services.rubric_locked(Rubric(campaign=plan)) is False


def _store(plan, threshold=66):
    with scope(org=plan.organization):
        services.rubric_save(
            campaign=plan,
            criteria=[
                {"name": "Hiệu quả", "max_points": 60, "description": "Có số liệu"},
                {"name": "Lan tỏa", "max_points": 40},
            ],
            threshold=threshold,
            bands=[{"name": "Đạt", "min": threshold}],
        )


def test_a_copied_campaign_gets_its_originals_rubric_by_value(tree, plan, commune_staff):
    _store(plan)
    with scope(org=tree.commune):
        copy = campaign_services.campaign_copy(original=plan, user=commune_staff, number="03-KH/ĐU", title="X").campaign
    assert stored(copy)[:3] == stored(plan)[:3]
    with scopes_disabled():
        assert Criterion.objects.get(rubric__campaign=copy, name="Hiệu quả").description == "Có số liệu"
    with scope(org=tree.commune):
        services.rubric_save(campaign=copy, criteria=[{"name": "Mới", "max_points": 10}], threshold=5, bands=[])
    assert stored(plan)[2] == [("Hiệu quả", 60), ("Lan tỏa", 40)]
    assert stored(copy)[2] == [("Mới", 10)]


def test_a_copy_of_a_campaign_showing_the_default_shows_the_default(tree, plan, commune_staff):
    with scope(org=tree.commune):
        copy = campaign_services.campaign_copy(original=plan, user=commune_staff, number="03-KH/ĐU", title="X").campaign
    assert stored(copy) is None


def test_a_derived_campaign_gets_the_upper_rubric_by_value(tree):
    upper = campaign(tree.province, "12-HD/BCĐ", target_levels=["commune"])
    _store(upper, threshold=50)
    with scope(org=tree.commune):
        derived = campaign_services.campaign_derive(
            parent=upper, organization=tree.commune, user=None, number="20-KH/ĐU", title="T", issuing_body_name="B"
        )
    assert stored(derived)[:3] == stored(upper)[:3]
    with scope(org=tree.commune):
        services.rubric_save(
            campaign=derived, criteria=[{"name": "Riêng xã", "max_points": 20}], threshold=10, bands=[]
        )
    assert stored(upper)[2] == [("Hiệu quả", 60), ("Lan tỏa", 40)]


def test_rubric_rows_are_seen_where_their_campaign_is(tree, plan):
    draft = campaign(tree.commune, "07-KH/ĐU", status=CampaignStatus.DRAFT)
    _store(plan)
    _store(draft)
    with scope(org=tree.unit):
        assert set(Rubric.objects.values_list("campaign", flat=True)) == {plan.pk}
        assert set(Criterion.objects.values_list("rubric__campaign", flat=True)) == {plan.pk}
    with scope(org=tree.sibling):
        assert not Rubric.objects.exists() and not Criterion.objects.exists()
    with scope(org=tree.commune):
        assert Rubric.objects.count() == 2


def test_the_campaign_page_shows_the_rubric_panel(tree, plan, as_commune_staff, secretary):
    page = as_commune_staff.get(f"/o/COMM/campaigns/{plan.pk}/").content.decode()
    assert 'id="rubric-panel"' in page and "Tiêu chí thẩm định" in page
    assert "Lan tỏa và khả năng nhân rộng" in page and url(plan) in page
    _store(plan, threshold=66)
    page = client_for(secretary).get(f"/o/UNIT/campaigns/{plan.pk}/").content.decode()
    assert "Lan tỏa</li>" not in page  # the stored rubric, not the default
    assert "<strong>66</strong>" in page and url(plan, "UNIT") in page


def test_the_campaign_and_rubric_pages_queries_do_not_grow_with_criteria(tree, as_commune_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (2, 12):
        plan = campaign(tree.commune, f"{size}-KH/ĐU")
        with scope(org=tree.commune):
            criteria = [{"name": f"Tiêu chí {i}", "max_points": 5} for i in range(size)]
            services.rubric_save(campaign=plan, criteria=criteria, threshold=5, bands=[])
        for page in (f"/o/COMM/campaigns/{plan.pk}/", url(plan)):
            as_commune_staff.get(page)
            with CaptureQueriesContext(connection) as queries:
                assert as_commune_staff.get(page).status_code == 200
            counts[size, page.endswith("rubric/")] = len(queries.captured_queries)
    assert counts[2, False] == counts[12, False]
    assert counts[2, True] == counts[12, True]


def _form_fields(page):
    """What a browser would send from the page's rubric form, unchanged."""
    import html
    import re

    form = page[page.index('id="rubric-form"') : page.index("</form>", page.index('id="rubric-form"'))]
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(body.strip())
    return data


def test_the_page_sent_back_unchanged_stores_the_default_then_a_row_is_added(plan, as_commune_staff):
    """The form as the page renders it (five shown rows, blank rows to add more): sent
    unchanged it stores the default; a blank row filled in adds a criterion."""
    data = _form_fields(as_commune_staff.get(url(plan)).content.decode())
    assert data["criteria-INITIAL_FORMS"] == "5" and data["criteria-TOTAL_FORMS"] == "7"
    assert as_commune_staff.post(url(plan), data).status_code == 302
    threshold, bands, criteria, version = stored(plan)
    assert (threshold, criteria, version) == (70, DEFAULT, 1)
    assert bands == [{"name": n, "min": m} for n, m in BANDS]
    data = _form_fields(as_commune_staff.get(url(plan)).content.decode())
    data |= {"criteria-5-name": "Minh chứng", "criteria-5-max_points": "10", "criteria-5-ORDER": "6"}
    data |= {"criteria-0-max_points": "20"}
    assert as_commune_staff.post(url(plan), data).status_code == 302
    assert stored(plan)[2] == [("Hiệu quả", 20), *DEFAULT[1:], ("Minh chứng", 10)]
