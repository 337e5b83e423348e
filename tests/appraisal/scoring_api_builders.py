"""What the scoring API tests add to the scoring world (tests/appraisal/scoring_builders.py):
API clients, a registration's dossier parts (evidence files, a report, a submitted dossier, a
visit the member goes on), more assigned registrations, and the API's addresses."""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm
from PIL import Image
from rest_framework.test import APIClient

from appraisal.models import Assignment, RecognitionDossier, Visit, VisitMember
from models_registry.models import Evidence
from tests.appraisal.assignment_builders import accepted
from tests.appraisal.helpers import JPEG
from tests.registry.builders import report

BASE = "/api/v1/o/COMM/appraisal/"


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(assignment, rest=""):
    pk = assignment.pk if hasattr(assignment, "pk") else assignment
    return f"{BASE}assignments/{pk}/{rest}"


def furnish(registration, *, evidence=2, members=(), visit_on=None):
    """The registration's evidence files (a PDF and images with thumbnails), a progress report,
    a submitted recognition dossier and, with `members`, a visit they go on."""
    with scopes_disabled():
        rows = []
        for i in range(evidence):
            image = i % 2 == 1
            rows.append(
                Evidence.objects.create(
                    organization=registration.organization,
                    registration=registration,
                    kind="image" if image else "pdf",
                    content_type="image/jpeg" if image else "application/pdf",
                    original_name=f"minh-chung-{i}.{'jpg' if image else 'pdf'}",
                    size=20,
                    file=ContentFile(JPEG if image else b"%PDF-1.4\n%%EOF\n", name=f"f{i}.{'jpg' if image else 'pdf'}"),
                    thumbnail=ContentFile(JPEG, name="t.jpg") if image else "",
                )
            )
        report(registration, summary="Đã làm được nhiều việc")
        RecognitionDossier.objects.create(registration=registration, status="submitted", report_results="Kết quả tốt")
        if members:
            visit = Visit.objects.create(
                board=members[0].board,
                registration=registration,
                visit_on=visit_on or datetime.date.today() + datetime.timedelta(days=3),
                visit_at=datetime.time(8, 30),
                place="Nhà văn hóa xóm",
            )
            for m in members:
                VisitMember.objects.create(visit=visit, member=m)
    return rows


def assign_more(w, org, n, members):
    """`n` more accepted registrations of `org`, assigned to `members` with their grants, each
    furnished as `furnish` does."""
    made = []
    for i in range(n):
        r = accepted(w.plan, org, f"Mô hình thêm {i}")
        with scopes_disabled():
            for m in members:
                a = Assignment.objects.create(board=w.board, member=m, registration=r)
                assign_perm("appraisal.appraise_assignment", m.user, a)
        furnish(r, evidence=3, members=members, visit_on=datetime.date.today() + datetime.timedelta(days=i))
        made.append(r)
    return made


def jpeg_upload(name="anh.jpg", size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def body(criteria, fraction=0.8, *, version=0, comment="", submit=False):
    """A PUT body scoring every criterion at `fraction` of its maximum."""
    return {
        "version": version,
        "comment": comment,
        "lines": [{"criterion": c.pk, "points": round(c.max_points * fraction, 2), "comment": ""} for c in criteria],
        "submit": submit,
    }
