"""Scoring reminders, with frozen time: members who have not submitted are reminded before the
survey window ends, by the campaigns' daily sweep, once per (occurrence, member, offset).

The commune's board (scoring_world): the head (can-bo-xa), a member (can-bo-xa-2-01) and the
deputy (uy-vien-01, the Front's secretary through a seat), each assigned both of Xóm 1's
models. The survey window runs from 01/11/2026 to 30/11/2026; offsets 7, 3, 1.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db.models import Count
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from appraisal import reminders as scoring_reminders
from appraisal import scoring_services as scoring
from appraisal.enums import ConflictKind, ScoringReminderStatus
from appraisal.models import Board, Conflict, ScoringReminder
from campaigns import reminders
from campaigns.enums import CampaignStatus
from campaigns.models import Campaign, MilestoneKind
from campaigns.services import milestone_save
from dvk.enums import Role
from dvk.models import Notification
from tests.appraisal.assignment_builders import seat
from tests.appraisal.scoring_builders import full_lines, scoring_world
from tests.campaigns.test_reminders_celery import worker, worker_log  # noqa: F401  (the worker fixture)
from tests.conftest import persona
from tests.test_idempotency import in_parallel

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
START, END = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
SENT, SUPERSEDED, PENDING = ScoringReminderStatus.SENT, ScoringReminderStatus.SUPERSEDED, ScoringReminderStatus.PENDING


def at(days_before, hour=7):
    day = END - datetime.timedelta(days=days_before)
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=HCM), tick=False)


def run_sweep(**kwargs):
    """The campaigns' daily sweep, which sends the scoring reminders too."""
    with scopes_disabled():
        return reminders.sweep(**kwargs)


def survey(plan, start=START, end=END, **extra):
    kind, _created = MilestoneKind.objects.get_or_create(
        code="survey", defaults={"name": "Khảo sát thực tế", "is_window": True}
    )
    with scopes_disabled():
        return milestone_save(campaign=plan, kind=kind, starts_on=start, due_on=end, **extra)


@pytest.fixture
def w(tree, commune_staff):
    world = scoring_world(tree, commune_staff)
    survey(world.plan)
    return world


def rows(**filters):
    with scopes_disabled():
        return sorted(
            ScoringReminder.objects.filter(**filters).values_list("member__user__username", "offset_days", "status")
        )


def inbox(mailoutbox):
    got = {}
    for message in mailoutbox:
        for address in message.to:
            got.setdefault(address, []).append(message)
    return got


def submit(w, member, r=0):
    with scope(org=w.board.organization):
        scoring.scorecard_save(
            assignment=w.assignment(member, r),
            lines=full_lines(w.criteria),
            expected_version=0,
            user=member.user,
            submit=True,
        )


def draft(w, member, r=0):
    with scope(org=w.board.organization):
        scoring.scorecard_save(
            assignment=w.assignment(member, r), lines=full_lines(w.criteria, 0.5), expected_version=0, user=member.user
        )


EVERYONE = ["can-bo-xa", "can-bo-xa-2-01", "uy-vien-01"]
ADDRESSES = {f"{u}@example.test" for u in EVERYONE}


def test_three_days_before_the_window_ends_each_member_gets_one_mail_listing_what_is_left(w, mailoutbox):
    with at(3):
        stats = run_sweep()
    # The 7-day offset passed before this first sweep: recorded, not sent (catch-up).
    assert rows() == sorted([(u, 3, SENT) for u in EVERYONE] + [(u, 7, SUPERSEDED) for u in EVERYONE])
    assert (stats["scoring_new_rows"], stats["scoring_sent"], stats["scoring_messages"]) == (6, 3, 3)
    assert set(inbox(mailoutbox)) == ADDRESSES and len(mailoutbox) == 3
    mail = inbox(mailoutbox)["can-bo-xa-2-01@example.test"][0]
    assert mail.subject == (
        "[DVK] Còn 3 ngày: còn 2 mô hình chưa gửi phiếu chấm – Khảo sát thực tế đến 30/11/2026 (KH 01-KH/ĐU)"
    )
    assert "Kính gửi: can-bo-xa-2-01 – Thành viên" in mail.body
    assert "- Tủ sách Xóm Một (Chi bộ Xóm 1)\n- Đường hoa Xóm Một (Chi bộ Xóm 1)\n" in mail.body
    path = f"/o/COMM/appraisal/scoring/?board={w.board.pk}"
    assert f"http://127.0.0.1:8000{path}" in mail.body
    assert scoring_reminders.scoring_path(w.board) == path
    with scopes_disabled():
        notes = Notification.objects.filter(user=w.member.user)
        assert [(n.title, n.organization_id) for n in notes] == [(mail.subject, w.board.organization_id)]
        assert notes.get().url == scoring_reminders.scoring_path(w.board)


def test_a_sibling_communes_board_reminds_only_its_own_members_of_its_own_models(w, tree, mailoutbox):
    """Two boards in sibling communes, one sweep: each mail lists only its own board's models,
    and nobody of one board is told about the other."""
    from guardian.shortcuts import assign_perm

    from appraisal.models import Assignment
    from tests.appraisal.assignment_builders import accepted, board_for, seat
    from tests.campaigns.builders import campaign

    plan = campaign(tree.sibling, "05-KH/ĐU", target_levels=["unit"], registration_due=START)
    survey(plan)
    board = board_for(plan)
    head = seat(board, persona("can-bo-dien-thinh", tree.sibling, Role.STAFF), "head")
    theirs = accepted(plan, tree.sibling_unit, "Một giúp một Xóm 9")
    with scopes_disabled():
        a = Assignment.objects.create(board=board, member=head, registration=theirs)
    assign_perm("appraisal.appraise_assignment", head.user, a)
    with at(3):
        run_sweep()
    got = inbox(mailoutbox)
    assert set(got) == ADDRESSES | {"can-bo-dien-thinh@example.test"}
    sibling_mail = got["can-bo-dien-thinh@example.test"][0].body
    assert "Một giúp một Xóm 9" in sibling_mail and "Tủ sách Xóm Một" not in sibling_mail
    assert all("Một giúp một" not in m.body for a in ADDRESSES for m in got[a])


def test_a_second_sweep_the_same_day_sends_nothing(w, mailoutbox):
    with at(3):
        run_sweep()
    with at(3, hour=15):
        stats = run_sweep()
    assert (stats["scoring_new_rows"], stats["scoring_claimed"], stats["scoring_sent"]) == (0, 0, 0)
    assert len(mailoutbox) == 3
    with scopes_disabled():
        assert Notification.objects.count() == 3


def test_nothing_before_the_first_offset_nor_after_the_window(w, mailoutbox):
    with at(8):
        assert run_sweep()["scoring_sent"] == 0
    with at(-1):
        assert run_sweep()["scoring_sent"] == 0
    assert rows() == [] and mailoutbox == []


def test_catch_up_sends_the_nearest_offset_once_and_supersedes_the_older(w, mailoutbox):
    with at(2):  # the 7- and 3-day offsets have both passed: one mail each, the 3-day one
        run_sweep()
    assert rows(member=w.member) == [("can-bo-xa-2-01", 3, SENT), ("can-bo-xa-2-01", 7, SUPERSEDED)]
    assert len(mailoutbox) == 3 and all(m.subject.startswith("[DVK] Còn 2 ngày:") for m in mailoutbox)
    with at(2, hour=18):
        run_sweep()
    assert len(mailoutbox) == 3
    with at(1):  # the 1-day offset is new
        run_sweep()
    assert len(mailoutbox) == 6
    assert rows(member=w.member, status=SENT) == [("can-bo-xa-2-01", 1, SENT), ("can-bo-xa-2-01", 3, SENT)]


def test_a_member_who_submitted_everything_gets_nothing_a_draft_still_counts(w, mailoutbox):
    submit(w, w.member, 0)
    submit(w, w.member, 1)
    submit(w, w.head, 0)
    draft(w, w.head, 1)
    with at(3):
        run_sweep()
    assert set(inbox(mailoutbox)) == {"can-bo-xa@example.test", "uy-vien-01@example.test"}
    head_mail = inbox(mailoutbox)["can-bo-xa@example.test"][0]
    assert "còn 1 mô hình chưa gửi phiếu chấm" in head_mail.subject
    assert "Đường hoa Xóm Một" in head_mail.body and "Tủ sách Xóm Một" not in head_mail.body
    assert rows(member=w.member) == []


def test_conflicted_assignments_do_not_count(w, mailoutbox):
    with scopes_disabled():
        for r in w.registrations:
            Conflict.objects.create(
                board=w.board, member=w.deputy, registration=r, kind=ConflictKind.DECLARED, reason="Người nhà"
            )
        Conflict.objects.create(
            board=w.board, member=w.member, registration=w.registrations[0], kind=ConflictKind.RECUSAL, reason="Rút"
        )
    with at(3):
        run_sweep()
    assert set(inbox(mailoutbox)) == {"can-bo-xa@example.test", "can-bo-xa-2-01@example.test"}
    body = inbox(mailoutbox)["can-bo-xa-2-01@example.test"][0].body
    assert "Đường hoa Xóm Một" in body and "Tủ sách Xóm Một" not in body


def test_a_member_without_a_vote_is_not_reminded(w, mailoutbox):
    from appraisal.models import Assignment

    clerk = seat(w.board, persona("thu-ky", None, None), "secretary")
    with scopes_disabled():
        Assignment.objects.create(board=w.board, member=clerk, registration=w.registrations[0])
    with at(3):
        run_sweep()
    assert set(inbox(mailoutbox)) == ADDRESSES


def test_scoring_closed_sends_nothing_and_pending_reminders_are_superseded(w, mailoutbox, settings):
    with at(3):  # claimed, but the batch never ran (its worker died)
        run_sweep(extension_dispatch=lambda extension: lambda **batch: None)
    assert rows(offset_days=3) == [(u, 3, PENDING) for u in EVERYONE]
    with scopes_disabled():
        Board.objects.filter(pk=w.board.pk).update(scoring_closed_at=timezone.now(), scoring_closed_by=w.head.user)
    with at(3, hour=7 + 1 + settings.DVK_REMINDER_CLAIM_TIMEOUT_MINUTES // 60):
        stats = run_sweep()
    assert stats["scoring_superseded"] == 3 and stats["scoring_sent"] == 0
    assert rows(offset_days=3) == [(u, 3, SUPERSEDED) for u in EVERYONE]
    with at(1):
        run_sweep()
    assert rows(status=SENT) == rows(status=PENDING) == [] and mailoutbox == []


def test_a_batch_waiting_when_scoring_closes_is_not_sent(w, mailoutbox):
    batches = []
    with at(3):
        run_sweep(extension_dispatch=lambda extension: lambda **batch: batches.append(batch))
    with scopes_disabled():
        Board.objects.filter(pk=w.board.pk).update(scoring_closed_at=timezone.now())
        with at(3, hour=8):
            assert scoring_reminders.send_batch(**batches[0])["sent"] == 0
    assert rows(offset_days=3) == [(u, 3, SUPERSEDED) for u in EVERYONE] and mailoutbox == []


@pytest.mark.parametrize("status", [CampaignStatus.ARCHIVED, CampaignStatus.DRAFT])
def test_nothing_for_a_campaign_not_published_or_closed(w, mailoutbox, status):
    with scopes_disabled():
        Campaign.objects.filter(pk=w.plan.pk).update(status=status)
    with at(3):
        run_sweep()
    assert rows() == [] and mailoutbox == []


def test_each_occurrence_of_a_recurring_window_has_its_own_reminders(tree, commune_staff, mailoutbox):
    world = scoring_world(tree, commune_staff)
    survey(world.plan, datetime.date(2026, 9, 21), datetime.date(2026, 9, 30), recurrence="monthly")
    with time_machine.travel(datetime.datetime(2026, 10, 29, 7, tzinfo=HCM), tick=False):
        run_sweep()
    with scopes_disabled():
        assert set(ScoringReminder.objects.values_list("occurrence", "offset_days", "status")) == {
            (datetime.date(2026, 10, 30), 1, SENT),
            (datetime.date(2026, 10, 30), 3, SUPERSEDED),
            (datetime.date(2026, 10, 30), 7, SUPERSEDED),
        }
    assert len(mailoutbox) == 3


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_in_parallel_make_one_row_per_key_and_one_mail_each(tree, commune_staff, mailoutbox):
    world = scoring_world(tree, commune_staff)
    survey(world.plan)
    with at(2):
        results = in_parallel(2, lambda i: run_sweep())
    with scopes_disabled():
        keys = ScoringReminder.objects.values("milestone", "occurrence", "member", "offset_days")
        assert keys.annotate(n=Count("id")).filter(n__gt=1).count() == 0
        assert ScoringReminder.objects.count() == 6
        assert sorted(ScoringReminder.objects.values_list("offset_days", "status", "attempts")) == [
            (3, SENT, 1),
            (3, SENT, 1),
            (3, SENT, 1),
            (7, SUPERSEDED, 0),
            (7, SUPERSEDED, 0),
            (7, SUPERSEDED, 0),
        ]
        assert Notification.objects.count() == 3
    assert sum(r["scoring_sent"] for r in results) == 3
    assert len(mailoutbox) == 3 and set(inbox(mailoutbox)) == ADDRESSES


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_two_sweep_tasks_on_a_real_worker_send_each_scoring_reminder_once(tree, commune_staff, worker):  # noqa: F811
    """The Celery path: the campaigns' sweep task dispatches appraisal's batches to
    appraisal.send_scoring_reminder_batch, by name (worker fixture of the campaign reminders)."""
    import time

    from campaigns.tasks import reminder_sweep

    today = timezone.localdate()
    world = scoring_world(tree, commune_staff)
    survey(world.plan, today - datetime.timedelta(days=10), today + datetime.timedelta(days=2))
    first = reminder_sweep.apply_async(queue=worker.queue)
    second = reminder_sweep.apply_async(queue=worker.queue)
    try:
        results = [first.get(timeout=120), second.get(timeout=120)]
    except Exception as exc:
        raise AssertionError(f"{exc!r}\n{worker_log(worker)}") from exc
    for result in (first, second):
        result.forget()
    deadline = time.monotonic() + 90
    while True:
        with scopes_disabled():
            if not ScoringReminder.objects.filter(status=PENDING).exists():
                break
        assert time.monotonic() < deadline and worker.process.poll() is None, worker_log(worker)
        time.sleep(0.2)
    assert sum(r["scoring_claimed"] for r in results) == 3
    with scopes_disabled():
        assert sorted(ScoringReminder.objects.values_list("offset_days", "status", "attempts")) == [
            (3, SENT, 1),
            (3, SENT, 1),
            (3, SENT, 1),
            (7, SUPERSEDED, 0),
            (7, SUPERSEDED, 0),
            (7, SUPERSEDED, 0),
        ]
        notes = Notification.objects.order_by("user__username")
        assert [n.user.username for n in notes] == EVERYONE
        assert all(n.title.startswith("[DVK] Còn 2 ngày: còn 2 mô hình chưa gửi phiếu chấm") for n in notes)


def test_the_sweep_runs_the_same_queries_for_3_or_8_members_told(w, mailoutbox):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appraisal.models import Assignment

    with at(7), CaptureQueriesContext(connection) as few:
        run_sweep()
    for i in range(5):
        extra = seat(w.board, persona(f"uy-vien-them-{i}", None, None), "member")
        with scopes_disabled():
            for r in w.registrations:
                Assignment.objects.create(board=w.board, member=extra, registration=r)
    with at(3), CaptureQueriesContext(connection) as many:
        stats = run_sweep()
    assert stats["scoring_sent"] == 8
    assert len(many.captured_queries) == len(few.captured_queries)
