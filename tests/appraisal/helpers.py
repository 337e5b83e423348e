"""Form data of the rubric page, as a browser sends it."""

DEFAULT = [
    ("Hiệu quả", 30),
    ("Sáng tạo", 20),
    ("Bền vững", 20),
    ("Lan tỏa và khả năng nhân rộng", 15),
    ("Sự tham gia và hài lòng của Nhân dân", 15),
]
BANDS = [("Xuất sắc", 90), ("Tốt", 80), ("Đạt", 70)]


def rubric_form(criteria=DEFAULT, *, threshold=70, bands=BANDS, version=0, deleted=(), order=None, key=None):
    data = {
        "version": str(version),
        "threshold": "" if threshold is None else str(threshold),
        "criteria-TOTAL_FORMS": str(len(criteria)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
    }
    for i, (name, points) in enumerate(criteria):
        data[f"criteria-{i}-name"] = name
        data[f"criteria-{i}-description"] = ""
        data[f"criteria-{i}-max_points"] = "" if points is None else str(points)
        data[f"criteria-{i}-required"] = "on"
        data[f"criteria-{i}-ORDER"] = str((order or {}).get(i, i + 1))
        if i in deleted:
            data[f"criteria-{i}-DELETE"] = "on"
    for i, (name, points) in enumerate(bands):
        data[f"bands-{i}-name"] = name
        data[f"bands-{i}-min"] = str(points)
    if key:
        data["idempotency_key"] = key
    return data


# The smallest JPEG Pillow writes (1×1), for stored photos the tests never decode.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00" + bytes(64) + b"\xff\xd9"
)


def victim_appraisal(plan, registration, commune_staff, front_chairman, secrets):
    """The victim commune's board on `plan` for the outsider test (tests/test_outsider.py):
    the commune's staffer is its head and is assigned the victim's registration (with the
    django-guardian grant), the Front's chairman is deputy head through a seat and assigned
    nothing; the registration has a recognition dossier with an opinion file, a visit and a
    declared conflict, the head's draft scorecard with a photo and a feed entry, each carrying
    a secret, an outbox file imported for the head, and an open review meeting whose frozen
    list names the registration, with a ballot on it (the head's vote). Built with the ORM, so the fixture does not
    depend on the services under test."""
    import datetime

    from django.core.files.base import ContentFile
    from django_scopes import scopes_disabled
    from guardian.shortcuts import assign_perm

    from appraisal.models import (
        Assignment,
        AssignmentChange,
        Ballot,
        Board,
        BoardMember,
        Conflict,
        Criterion,
        DossierOpinion,
        Meeting,
        MeetingAttendance,
        OutboxImport,
        Proposal,
        RecognitionDossier,
        Rubric,
        Scorecard,
        ScoreLine,
        ScorePhoto,
        Visit,
        VisitMember,
        Vote,
    )
    from dvk.models import Organization

    with scopes_disabled():
        board = Board.objects.create(organization=plan.organization, campaign=plan, created_by=commune_staff)
        head = BoardMember.objects.create(board=board, user=commune_staff, role="head", position_order=0)
        deputy = BoardMember.objects.create(board=board, user=front_chairman, role="deputy", position_order=1)
        assignment = Assignment.objects.create(board=board, member=head, registration=registration)
        assign_perm("appraisal.appraise_assignment", commune_staff, assignment)
        conflict = Conflict.objects.create(
            board=board, member=deputy, registration=registration, kind="declared", reason=secrets["conflict"]
        )
        visit = Visit.objects.create(
            board=board, registration=registration, visit_on=datetime.date(2026, 11, 20), place=secrets["visit"]
        )
        VisitMember.objects.create(visit=visit, member=head)
        dossier = RecognitionDossier.objects.create(
            registration=registration, status="submitted", report_results=secrets["dossier"]
        )
        opinion = DossierOpinion.objects.create(
            dossier=dossier,
            body="party_committee",
            text=secrets["opinion"],
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="y-kien.pdf"),
            content_type="application/pdf",
            original_name="y-kien.pdf",
            size=15,
        )
        # The head's draft scorecard on it, with a line, a photo and a feed entry.
        rubric = Rubric.objects.create(campaign=plan)
        criterion = Criterion.objects.create(rubric=rubric, name="Hiệu quả", max_points=100)
        scorecard = Scorecard.objects.create(assignment=assignment, comment=secrets["scorecard"], total=77)
        ScoreLine.objects.create(scorecard=scorecard, criterion=criterion, points=77, comment=secrets["scorecard"])
        photo = ScorePhoto.objects.create(
            scorecard=scorecard,
            file=ContentFile(JPEG, name="anh.jpg"),
            thumbnail=ContentFile(JPEG, name="thumb.jpg"),
            content_type="image/jpeg",
            original_name=f"{secrets['photo']}.jpg",
            size=len(JPEG),
        )
        change = AssignmentChange.objects.create(
            board=board, user=commune_staff, registration=registration, kind="reopened", detail=secrets["scorecard"]
        )
        # An outbox file staff imported for the head, its result naming the scorecard's secret.
        outbox_import = OutboxImport.objects.create(
            board=board,
            member=commune_staff,
            imported_by=commune_staff,
            file_name=f"{secrets['photo']}.json",
            item_count=1,
            applied_count=1,
            results=[
                {
                    "n": 1,
                    "kind": "scorecard",
                    "assignment": assignment.pk,
                    "label": secrets["scorecard"],
                    "key": "k-victim-0001",
                    "state": "applied",
                    "code": "",
                    "detail": "",
                    "version": 2,
                    "submit_left": False,
                }
            ],
        )
        meeting = Meeting.objects.create(
            organization=plan.organization,
            board=board,
            held_on=datetime.date(2026, 12, 1),
            place="Hội trường xã",
            chair=head,
            status="open",
            results=[
                {
                    "registration": registration.pk,
                    "name": secrets["registration"],
                    "unit": secrets["unit"],
                    "result": "77",
                    "rank": 1,
                    "band": "Đạt",
                    "reached": True,
                }
            ],
            rules={
                "quorum_share": "2/3",
                "recognise_share": "1/2",
                "propose_share": "4/5",
                "threshold": "70",
                "proposal_threshold": "70",
                "voting_members": 2,
                "quorum": 2,
            },
        )
        MeetingAttendance.objects.create(meeting=meeting, member=head, attendance="present")
        MeetingAttendance.objects.create(meeting=meeting, member=deputy, attendance="present")
        ballot = Ballot.objects.create(
            organization=registration.organization,
            meeting=meeting,
            registration=registration,
            result=77,
            voters=1,
            votes_for=1,
            decision="recognise",
        )
        Vote.objects.create(meeting=meeting, ballot=ballot, member=head, choice="for")
        # Proposed to the province: in the province's queue only.
        proposal = Proposal.objects.create(
            organization=registration.organization,
            registration=registration,
            ballot=ballot,
            proposed_by=plan.organization,
            to=Organization.objects.get(code="PROV"),
        )
    return {
        "meeting": meeting,
        "ballot": ballot,
        "proposal": proposal,
        "criterion": criterion,
        "scorecard": scorecard,
        "photo": photo,
        "change": change,
        "outbox_import": outbox_import,
        "board": board,
        "head": head,
        "deputy": deputy,
        "assignment": assignment,
        "conflict": conflict,
        "visit": visit,
        "dossier": dossier,
        "opinion": opinion,
    }
