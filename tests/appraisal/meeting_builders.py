"""A review-meeting world: the scoring world (tests/appraisal/scoring_builders.py) with four
more voting members (seven in all), a non-voting secretary, every card of the three scoring
members submitted (registration 0: 80, 80, 80; registration 1: 60, 60, 60) and scoring closed.
The fourth extra member declared a conflict on registration 0."""

import datetime

from django_scopes import scope, scopes_disabled
from guardian.shortcuts import assign_perm

from appraisal import meetings
from appraisal.enums import Attendance, ConflictKind
from appraisal.models import Assignment, Board, Conflict, Meeting
from dvk.enums import Role
from tests.appraisal.assignment_builders import accepted, seat
from tests.appraisal.scoring_builders import card, scoring_world
from tests.conftest import persona


def meeting_world(tree, commune_staff, *, more=0):
    """`more`: as many more registrations, assigned to the three scoring members, scored 75."""
    w = scoring_world(tree, commune_staff)
    w.extra = [seat(w.board, persona(f"uy-vien-doan-{i}", tree.commune, Role.STAFF), "member") for i in range(4)]
    w.secretary = seat(w.board, persona("thu-ky-doan", tree.commune, Role.STAFF), "secretary")
    scorers = (w.head, w.member, w.deputy)
    for n in range(more):
        r = accepted(w.plan, tree.unit, f"Mô hình thêm {n + 1}")
        w.registrations.append(r)
        with scopes_disabled():
            for m in scorers:
                a = Assignment.objects.create(board=w.board, member=m, registration=r)
                assign_perm("appraisal.appraise_assignment", m.user, a)
                w.assignments[(m.pk, r.pk)] = a
    for m in scorers:
        card(w, m, 80, 0)
        card(w, m, 60, 1)
        for i in range(2, len(w.registrations)):
            card(w, m, 75, i)
    with scopes_disabled():
        Conflict.objects.create(
            board=w.board,
            member=w.extra[3],
            registration=w.registrations[0],
            kind=ConflictKind.DECLARED,
            reason="Vợ là trưởng thôn nơi làm mô hình",
        )
        Board.objects.filter(pk=w.board.pk).update(
            scoring_closed_at=datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
        )
        w.board.refresh_from_db()
    w.voters = [w.head, w.member, w.deputy, *w.extra]  # seven voting members
    return w


def in_scope(w, fn, **kwargs):
    with scope(org=w.board.organization):
        return fn(**kwargs)


def planned(w, user=None):
    return in_scope(
        w,
        meetings.meeting_create,
        board=Board.objects.all_tenants().get(pk=w.board.pk),
        held_on=datetime.date(2026, 12, 1),
        place="Hội trường Đảng ủy xã",
        chair=w.head,
        secretary=w.secretary,
        user=user or w.head.user,
    )


def roll(w, **overrides):
    """Everyone present, but for `overrides` (member attribute name → Attendance)."""
    everyone = {m.pk: Attendance.PRESENT for m in (*w.voters, w.secretary)}
    for name, value in overrides.items():
        member = getattr(w, name) if not name.startswith("extra") else w.extra[int(name[5:])]
        everyone[member.pk] = value
    return everyone


def opened(w, attendance=None):
    meeting = planned(w)
    meeting = in_scope(
        w,
        meetings.attendance_set,
        meeting=meeting,
        attendance=attendance or roll(w),
        expected_version=1,
        user=w.head.user,
    )
    return in_scope(w, meetings.meeting_open, meeting=meeting, expected_version=meeting.version, user=w.head.user)


def fresh(meeting):
    return Meeting.objects.all_tenants().get(pk=meeting.pk)
