"""Registration deadlines that look mistyped are said (at save, on the draft's page, at
publication); a second registration deadline is refused, by the form and by the database."""

import datetime
import html

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from campaigns import services
from campaigns.enums import CampaignStatus
from campaigns.models import Milestone, MilestoneKind
from tests.campaigns.builders import campaign
from tests.conftest import client_for

MAR_2026 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def page(response):
    return html.unescape(response.content.decode())


def kind(code):
    return MilestoneKind.objects.get(code=code)


def milestone_data(kind_code, due, **extra):
    return {
        "kind": kind(kind_code).pk,
        "title": "",
        "starts_on": "",
        "due_on": due,
        "recurrence": "none",
        "recurs_until": "",
        **extra,
    }


@pytest.fixture
def draft(tree):
    """A draft running 01/01/2026–31/12/2026."""
    return campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])


BEFORE_START = "Hạn đăng ký “Hạn đăng ký mô hình” (20/12/2025) sớm hơn ngày bắt đầu thực hiện kế hoạch (01/01/2026)."
PAST = "Hạn đăng ký “Hạn đăng ký mô hình” (05/03/2026) đã qua (hôm nay 20/03/2026)"


@time_machine.travel(MAR_2026, tick=False)
def test_a_registration_deadline_before_the_plan_starts_is_saved_with_a_warning(as_commune_staff, draft):
    url = f"/o/COMM/campaigns/{draft.pk}/milestones/new/"
    response = as_commune_staff.post(url, milestone_data("registration", "20/12/2025"), follow=True)
    assert response.redirect_chain[-1][0] == f"/o/COMM/campaigns/{draft.pk}/"
    text = page(response)
    assert "Đã lưu mốc thời gian." in text
    messages = [str(m) for m in response.context["messages"]]
    assert BEFORE_START in messages
    with scopes_disabled():
        assert draft.milestones.get().due_on == datetime.date(2025, 12, 20)
    # The draft's page keeps saying it, and the publish confirmation repeats it.
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/"))
    box = detail.split('id="campaign-warnings"', 1)[1].split("</div>", 2)[1]
    assert BEFORE_START in box
    confirm = detail.split('data-confirm="Ban hành kế hoạch này?', 1)[1].split('"', 1)[0]
    assert "Lưu ý:" in confirm and BEFORE_START in confirm


@time_machine.travel(MAR_2026, tick=False)
def test_a_past_registration_deadline_is_said_before_and_after_publishing(as_commune_staff, draft):
    with scopes_disabled():
        services.milestone_save(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5))
    detail = page(as_commune_staff.get(f"/o/COMM/campaigns/{draft.pk}/"))
    assert PAST in detail.split('id="campaign-warnings"', 1)[1]
    assert PAST in detail.split('data-confirm="Ban hành kế hoạch này?', 1)[1].split('"', 1)[0]
    # Warned, not refused: it is published, and the warning comes with the confirmation.
    response = as_commune_staff.post(f"/o/COMM/campaigns/{draft.pk}/publish/", follow=True)
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.PUBLISHED
    messages = [str(m) for m in response.context["messages"]]
    assert "Đã ban hành kế hoạch “12-KH/ĐU”." in messages
    assert any(m.startswith(PAST) for m in messages)
    # Once published there is nothing left to check before publishing.
    assert 'id="campaign-warnings"' not in page(response)


@time_machine.travel(MAR_2026, tick=False)
def test_a_sound_deadline_brings_no_warning(as_commune_staff, draft):
    url = f"/o/COMM/campaigns/{draft.pk}/milestones/new/"
    response = as_commune_staff.post(url, milestone_data("registration", "15/04/2026"), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Đã lưu mốc thời gian."]
    detail = page(response)
    assert 'id="campaign-warnings"' not in detail
    assert 'data-confirm="Ban hành kế hoạch này? Mọi tổ chức được giao sẽ thấy kế hoạch."' in detail


def test_a_second_registration_deadline_is_refused_naming_the_first(as_commune_staff, draft):
    with scopes_disabled():
        first = services.milestone_save(
            campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5), title="Gửi phụ lục 01"
        )
    url = f"/o/COMM/campaigns/{draft.pk}/milestones/new/"
    response = as_commune_staff.post(url, milestone_data("registration", "15/03/2026"))
    assert response.status_code == 400
    text = page(response)
    assert "Kế hoạch đã có hạn đăng ký “Gửi phụ lục 01” (05/03/2026); mỗi kế hoạch chỉ có một hạn đăng ký." in text
    # The message stands under the kind it is about, whose select is marked.
    assert 'class="form-select is-invalid"' in text
    with scopes_disabled():
        assert list(draft.milestones.values_list("pk", flat=True)) == [first.pk]
    # Editing the one there is stays possible.
    edit = f"/o/COMM/campaigns/{draft.pk}/milestones/{first.pk}/edit/"
    assert as_commune_staff.post(edit, milestone_data("registration", "15/03/2026")).status_code == 302
    first.refresh_from_db()
    assert (first.due_on, first.is_registration) == (datetime.date(2026, 3, 15), True)


def test_changing_another_milestone_into_a_second_registration_deadline_is_refused(as_commune_staff, draft):
    with scopes_disabled():
        services.milestone_save(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5))
        other = services.milestone_save(campaign=draft, kind=kind("completion"), due_on=datetime.date(2026, 8, 31))
    edit = f"/o/COMM/campaigns/{draft.pk}/milestones/{other.pk}/edit/"
    assert as_commune_staff.post(edit, milestone_data("registration", "31/08/2026")).status_code == 400
    other.refresh_from_db()
    assert (other.kind.code, other.is_registration) == ("completion", False)


def test_the_database_keeps_one_registration_deadline_per_campaign(draft):
    """The service is not the only guard: a row written past it is refused too."""
    with scopes_disabled():
        Milestone(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 3, 5)).save()
        with pytest.raises(IntegrityError), transaction.atomic():
            Milestone(campaign=draft, kind=kind("registration"), due_on=datetime.date(2026, 4, 5)).save()
        # Other kinds repeat freely (a progress report each quarter, two reviews...).
        for day in (1, 2):
            Milestone(campaign=draft, kind=kind("periodic_review"), due_on=datetime.date(2026, 6, day)).save()
        assert draft.milestones.count() == 3


def test_a_derived_campaign_copies_the_one_deadline(tree, province_staff):
    parent = campaign(tree.province, "01-KH/TU", registration_due=datetime.date(2026, 3, 15), target_levels=["unit"])
    with scopes_disabled():
        child = services.campaign_derive(
            parent=parent, organization=tree.commune, user=None, number="02-KH/ĐU", title="T", issuing_body_name="X"
        )
        assert list(child.milestones.values_list("is_registration", flat=True)) == [True]


@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_a_registration_deadline_at_once_make_one(tree, commune_staff):
    """Parallel requests on real PostgreSQL, each with its own key: the campaign's row lock
    orders them, the second is told which deadline the first made."""
    import uuid

    from tests.test_idempotency import in_parallel

    draft = campaign(tree.commune, "12-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])
    url = f"/o/COMM/campaigns/{draft.pk}/milestones/new/"
    clients = [client_for(commune_staff) for _ in range(4)]
    forms = [{**milestone_data("registration", f"1{i}/03/2026"), "idempotency_key": uuid.uuid4().hex} for i in range(4)]
    responses = in_parallel(4, lambda i: clients[i].post(url, forms[i]))
    assert sorted(r.status_code for r in responses) == [302, 400, 400, 400]
    with scopes_disabled():
        assert draft.milestones.count() == 1
