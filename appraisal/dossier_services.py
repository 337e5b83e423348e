"""The recognition dossier (hồ sơ đề nghị công nhận, seed 004 III): reads and writes.

The unit's secretary (or staff at the unit or above) writes the proposal letter and the
detailed report, attaches the opinions of the committees and the Front, and submits it; staff
of the campaign's level may return it for revision with a reason. Every write is one atomic
action under the registration's row lock (so two first saves cannot both create a dossier,
and two submits cannot both apply), version-checked where two tabs can edit, and refuses bad
input with a Vietnamese ValidationError, changing nothing."""

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dvk.enums import Role
from dvk.models import Membership
from dvk.notifications import notifications_create
from dvk.uploads import file_too_large_message, human_size, max_file_bytes
from models_registry.evidence import (
    EvidenceRefused,
    EvidenceTooLarge,
    clean_original_name,
    sniff,
)
from models_registry.models import Evidence, Registration, RegistrationTarget, ReportEntry
from models_registry.services import locked_registration

from .enums import (
    APPRAISABLE_REGISTRATION_STATUSES,
    REPORT_CHARACTER_BUDGET,
    REPORT_PAGE_LIMIT,
    REPORT_PREFILL_YEARS,
    DossierStatus,
    OpinionBody,
)
from .models import DossierOpinion, RecognitionDossier

LETTER_FIELDS = ("letter_number", "letter_date", "letter_to", "letter_request", "signer_name", "signer_position")
REPORT_FIELDS = RecognitionDossier.REPORT_FIELDS
EDITABLE_FIELDS = LETTER_FIELDS + REPORT_FIELDS
# The unit may change the dossier (and its opinions) until it is submitted, and again once returned.
EDITABLE_STATUSES = (DossierStatus.DRAFT, DossierStatus.RETURNED)
# What a dossier must hold to be submitted.
REQUIRED_TO_SUBMIT = ("letter_request", "report_results")
MAX_OPINION_TEXT = 20_000

# The download extension of an opinion file, from its sniffed type (the stored name is random).
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}


def thousands(n):
    return f"{n:,}".replace(",", ".")


def budget_text():
    """What the page says of the budget."""
    return _("tối đa %(n)s ký tự, tương đương %(pages)s trang A4 cỡ chữ 14") % {
        "n": thousands(REPORT_CHARACTER_BUDGET),
        "pages": REPORT_PAGE_LIMIT,
    }


def clean_report_text(value):
    """Text as stored and counted: NFC (a decomposed "ệ" counts once), newlines as "\\n" (a
    browser sends "\\r\\n"; the page's counter sees "\\n"), no blanks at either end."""
    text = unicodedata.normalize("NFC", str(value or ""))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def report_length(fields):
    return sum(len(clean_report_text(fields.get(name, ""))) for name in REPORT_FIELDS)


def check_budget(fields):
    """Refuses a report whose five text fields together are over the budget."""
    length = report_length(fields)
    if length > REPORT_CHARACTER_BUDGET:
        raise ValidationError(
            _(
                "Báo cáo chi tiết dài %(length)s ký tự, vượt giới hạn %(budget)s (%(pages)s trang A4 cỡ chữ 14). "
                "Hãy rút gọn thêm %(over)s ký tự rồi lưu lại; chưa có gì được lưu."
            )
            % {
                "length": thousands(length),
                "budget": thousands(REPORT_CHARACTER_BUDGET),
                "pages": REPORT_PAGE_LIMIT,
                "over": thousands(length - REPORT_CHARACTER_BUDGET),
            },
            code="over_budget",
        )
    return length


# --- reads ------------------------------------------------------------------------------------


def dossier_of(registration):
    """The registration's dossier in the current scope, or None: one query."""
    return RecognitionDossier.objects.filter(registration=registration).first()


def dossier_or_new(registration):
    """The stored dossier, or an unsaved one of `registration` (version 0) for the rules and
    the form."""
    return dossier_of(registration) or RecognitionDossier(registration=registration, version=0)


def registration_eligible(registration):
    return registration.status in APPRAISABLE_REGISTRATION_STATUSES


def opinions_of(dossier):
    if dossier is None or dossier.pk is None:
        return []
    return list(DossierOpinion.objects.filter(dossier=dossier).select_related("added_by"))


def evidence_of(registration):
    """The files attached to the registration (and its reports): one query however many."""
    return list(
        Evidence.objects.filter(registration=registration).select_related("report").order_by("uploaded_at", "pk")
    )


def registration_chain(registration):
    """The registration and those it continues (a model carried on over the years), newest
    first, at most REPORT_PREFILL_YEARS: one query, following `continues` through joins."""
    depth = REPORT_PREFILL_YEARS - 1
    related = ["campaign"]
    for n in range(1, depth + 1):
        related.append("__".join(["continues"] * n + ["campaign"]))
    head = Registration.objects.select_related(*related).filter(pk=registration.pk).first()
    chain, seen = [], set()
    current = head
    while current is not None and len(chain) < REPORT_PREFILL_YEARS and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.continues if current.continues_id and len(chain) < REPORT_PREFILL_YEARS else None
    return chain


def _percent(achieved, value):
    return int(achieved * 100 / value) if value else None


def results_lines(registration):
    """One line per year and indicator: the target and the latest figure reported, across
    the chain of a continued model (oldest year first). Three queries whatever the length of
    the chain and the number of reports: the chain, its targets, their entries. Targets and
    entries are read through their scoped managers, so a registration outside the scope
    shows nothing."""
    from models_registry.forms import format_number

    chain = registration_chain(registration)
    by_pk = {r.pk: r for r in chain}
    targets = list(
        RegistrationTarget.objects.filter(registration_id__in=list(by_pk)).order_by("registration_id", "position", "pk")
    )
    latest = {}
    entries = (
        ReportEntry.objects.filter(target__in=[t.pk for t in targets])
        .select_related("report")
        .order_by("report__reported_on", "report__pk")
    )
    for entry in entries:
        latest[entry.target_id] = entry
    lines = []
    for reg in sorted(chain, key=lambda r: (r.campaign.period_start, r.pk)):
        year = reg.campaign.period_start.year
        for target in (t for t in targets if t.registration_id == reg.pk):
            entry = latest.get(target.pk)
            values = {
                "year": year,
                "number": reg.campaign.number,
                "indicator": target.indicator,
                "value": format_number(target.value),
                "unit": target.unit,
            }
            if entry is None:
                line = (
                    _(
                        "- Năm %(year)s (Kế hoạch %(number)s) – %(indicator)s: chỉ tiêu %(value)s %(unit)s; "
                        "chưa có số liệu báo cáo."
                    )
                    % values
                )
            else:
                values.update(
                    achieved=format_number(entry.achieved),
                    percent=_percent(Decimal(entry.achieved), Decimal(target.value)),
                    date=entry.report.reported_on.strftime("%d/%m/%Y"),
                )
                line = (
                    _(
                        "- Năm %(year)s (Kế hoạch %(number)s) – %(indicator)s: đạt %(achieved)s/%(value)s %(unit)s "
                        "(%(percent)s%%), số liệu báo cáo ngày %(date)s."
                    )
                    % values
                )
            lines.append(line)
    return lines


def results_prefill(registration):
    """The results section as first offered: the lines of results_lines, one a line."""
    return "\n".join(results_lines(registration))


# --- writes -----------------------------------------------------------------------------------


def _may(user, perm, obj):
    return user is None or user.has_perm(perm, obj)


def _locked(registration):
    """The registration and its dossier (None when there is none yet), both row-locked."""
    current = locked_registration(registration)
    dossier = RecognitionDossier.objects.select_for_update(of=("self",)).filter(registration=current).first()
    if dossier is not None:
        dossier.registration = current
    return current, dossier


def _check_version(dossier, expected_version):
    current = dossier.version if dossier is not None else 0
    if expected_version is not None and expected_version != current:
        raise ValidationError(
            _(
                "Hồ sơ vừa được người khác (hoặc ở một thẻ khác) sửa. Nội dung bạn vừa nhập vẫn còn trong ô; "
                "hãy sao chép lại, tải lại trang để xem bản mới rồi sửa tiếp."
            ),
            code="stale",
        )


def _check_editable(current, dossier):
    if not registration_eligible(current):
        raise ValidationError(
            _(
                "Chỉ lập hồ sơ đề nghị công nhận được khi đăng ký đã được duyệt, đang thực hiện hoặc đã hoàn thành "
                "(trạng thái hiện tại: %(status)s)."
            )
            % {"status": current.get_status_display()},
            code="not_eligible",
        )
    if dossier is not None and dossier.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("Hồ sơ đã gửi đề nghị; chỉ sửa được khi cấp trên trả lại để bổ sung."), code="not_editable"
        )


def _clean_fields(fields):
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown dossier fields: {sorted(unknown)}")
    cleaned = {}
    for name, value in fields.items():
        if name == "letter_date":
            cleaned[name] = value or None
        else:
            cleaned[name] = clean_report_text(value)
    return cleaned


@transaction.atomic
def dossier_save(registration, user=None, *, expected_version=None, **fields):
    """Saves the dossier of `registration` as a draft (creating it on the first save) with
    `fields` (any of EDITABLE_FIELDS; those not given keep their value). `expected_version`
    is the version the form was read at (0: no dossier yet); a save since then refuses this
    one. Refused, changing nothing: a registration not accepted/in progress/completed, a
    submitted dossier, a report over the budget, a user who may not act for the unit."""
    current, dossier = _locked(registration)
    probe = dossier or RecognitionDossier(registration=current)
    if not _may(user, "appraisal.change_dossier", probe):
        raise ValidationError(_("Chỉ bí thư đơn vị hoặc cán bộ cấp trên mới lập được hồ sơ này."), code="forbidden")
    _check_version(dossier, expected_version)
    _check_editable(current, dossier)
    cleaned = _clean_fields(fields)
    if dossier is None:
        dossier = RecognitionDossier(registration=current, created_by=user, version=0)
    merged = {name: getattr(dossier, name) for name in REPORT_FIELDS} | {
        k: v for k, v in cleaned.items() if k in REPORT_FIELDS
    }
    check_budget(merged)
    for name, value in cleaned.items():
        setattr(dossier, name, value)
    dossier.version += 1
    dossier.save()
    return dossier


def _notify(users, *, organization, title, body, url):
    notifications_create(
        items=[
            {"user_id": user_id, "organization": organization, "title": title[:255], "body": body, "url": url}
            for user_id in sorted(users)
        ]
    )


def _dossier_url(registration, org):
    return reverse("appraisal:dossier", kwargs={"org_code": org.code, "pk": registration.pk})


@transaction.atomic
def dossier_submit(registration, user=None, *, expected_version=None):
    """Sends the dossier to the campaign's level (DRAFT or RETURNED → SUBMITTED). Refused if
    there is none, it is already submitted, the letter's request or the results are empty,
    the report is over the budget, or the registration is not in an eligible status. The
    staff of the campaign's level are told in the notification centre."""
    current, dossier = _locked(registration)
    if dossier is None:
        raise ValidationError(_("Chưa có hồ sơ; hãy lập và lưu hồ sơ trước khi gửi."), code="missing")
    if not _may(user, "appraisal.change_dossier", dossier):
        raise ValidationError(_("Chỉ bí thư đơn vị hoặc cán bộ cấp trên mới gửi được hồ sơ này."), code="forbidden")
    _check_version(dossier, expected_version)
    if dossier.status == DossierStatus.SUBMITTED:
        raise ValidationError(_("Hồ sơ đã được gửi đề nghị rồi."), code="submitted")
    _check_editable(current, dossier)
    missing = {}
    if not dossier.letter_request.strip():
        missing["letter_request"] = _("Tờ trình cần có nội dung đề nghị.")
    if not dossier.report_results.strip():
        missing["report_results"] = _("Báo cáo cần có kết quả đạt được (có số liệu cụ thể).")
    if missing:
        raise ValidationError(missing)
    check_budget({name: getattr(dossier, name) for name in REPORT_FIELDS})
    resubmitted = dossier.status == DossierStatus.RETURNED
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = user
    dossier.version += 1
    dossier.save()
    campaign_org = current.campaign.organization
    staff = set(
        Membership.objects.filter(organization_id=campaign_org.pk, role=Role.STAFF).values_list("user_id", flat=True)
    )
    staff.discard(getattr(user, "pk", None))
    title = (
        _("%(org)s gửi lại hồ sơ đề nghị công nhận mô hình “%(name)s”")
        if resubmitted
        else _("%(org)s gửi hồ sơ đề nghị công nhận mô hình “%(name)s”")
    ) % {"org": current.organization.name, "name": current.initiative.name}
    _notify(
        staff,
        organization=campaign_org,
        title=title,
        body=_("Theo kế hoạch %(number)s.") % {"number": current.campaign.number},
        url=_dossier_url(current, campaign_org),
    )
    return dossier


@transaction.atomic
def dossier_return(registration, user=None, *, reason):
    """Staff of the campaign's level send a submitted dossier back for revision, with a
    required reason (SUBMITTED → RETURNED); the unit's secretaries are told in-app."""
    current, dossier = _locked(registration)
    if dossier is None:
        raise ValidationError(_("Đơn vị chưa lập hồ sơ."), code="missing")
    if not _may(user, "appraisal.return_dossier", dossier):
        raise ValidationError(
            _("Chỉ cán bộ cấp ban hành kế hoạch (hoặc cấp trên) mới trả lại được hồ sơ."), code="forbidden"
        )
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(
            _("Hồ sơ không ở trạng thái đã gửi (có thể người khác vừa trả lại)."), code="not_submitted"
        )
    reason = clean_report_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại để đơn vị biết cần bổ sung gì.")})
    dossier.status = DossierStatus.RETURNED
    dossier.return_reason = reason
    dossier.returned_at = timezone.now()
    dossier.returned_by = user
    dossier.version += 1
    dossier.save()
    secretaries = set(
        Membership.objects.filter(organization_id=current.organization_id, role=Role.SECRETARY).values_list(
            "user_id", flat=True
        )
    )
    secretaries.discard(getattr(user, "pk", None))
    _notify(
        secretaries,
        organization=current.organization,
        title=_("Hồ sơ đề nghị công nhận mô hình “%(name)s” bị trả lại để bổ sung") % {"name": current.initiative.name},
        body=reason,
        url=_dossier_url(current, current.organization),
    )
    return dossier


def _delete_file(name):
    if name:
        DossierOpinion._meta.get_field("file").storage.delete(name)


def _opinion_bytes(dossier):
    return DossierOpinion.objects.filter(dossier=dossier).aggregate(total=Sum("size"))["total"] or 0


@transaction.atomic
def opinion_add(registration, user=None, *, body, author="", text="", uploaded_file=None):
    """Adds an opinion (text, a file, or both) to the dossier of `registration`, while it is
    a draft or returned. The file is checked as evidence is (models_registry.evidence: the
    per-file limit, the content sniffed, never the name; the opinions of a dossier together
    hold at most what a registration's evidence may). Raises EvidenceTooLarge (413),
    EvidenceRefused or ValidationError; either way no row and no stored file stays."""
    current, dossier = _locked(registration)
    if dossier is None:
        raise ValidationError(_("Hãy lưu hồ sơ trước khi thêm ý kiến."), code="missing")
    if not _may(user, "appraisal.change_dossier", dossier):
        raise ValidationError(_("Chỉ bí thư đơn vị hoặc cán bộ cấp trên mới thêm được ý kiến."), code="forbidden")
    _check_editable(current, dossier)
    if body not in OpinionBody.values:
        raise ValidationError({"body": _("Hãy chọn cơ quan cho ý kiến.")})
    text = clean_report_text(text)
    author = clean_report_text(author)[:255]
    if len(text) > MAX_OPINION_TEXT:
        raise ValidationError(
            {
                "text": _("Nội dung ý kiến tối đa %(n)s ký tự; hãy đính kèm tệp nếu dài hơn.")
                % {"n": thousands(MAX_OPINION_TEXT)}
            }
        )
    if not text and uploaded_file is None:
        raise ValidationError(_("Ý kiến cần có nội dung, hoặc tệp đính kèm, hoặc cả hai."), code="empty")
    opinion = DossierOpinion(dossier=dossier, body=body, author=author, text=text, added_by=user)
    if uploaded_file is None:
        opinion.save()
        return opinion
    name = clean_original_name(getattr(uploaded_file, "name", ""))
    if uploaded_file.size > max_file_bytes():
        raise EvidenceTooLarge(file_too_large_message(name), code="too_large")
    limit = settings.DVK_EVIDENCE_MAX_REGISTRATION_BYTES
    used = _opinion_bytes(dossier)
    if used + uploaded_file.size > limit:
        raise EvidenceTooLarge(
            _("Vượt dung lượng tệp ý kiến của hồ sơ: tối đa %(limit)s, đã dùng %(used)s, tệp “%(name)s” nặng %(size)s.")
            % {
                "limit": human_size(limit),
                "used": human_size(used),
                "name": name,
                "size": human_size(uploaded_file.size),
            },
            code="too_large",
        )
    sniffed = sniff(uploaded_file, name)
    opinion.content_type = sniffed.content_type
    opinion.original_name = name
    opinion.size = uploaded_file.size
    stored = ""
    try:
        uploaded_file.seek(0)
        opinion.file.save(f"opinion.{sniffed.extension}", uploaded_file, save=False)
        stored = opinion.file.name
        opinion.save()
    except BaseException:
        _delete_file(stored)
        raise
    return opinion


@transaction.atomic
def opinion_delete(opinion, user=None):
    """Removes an opinion while its dossier is a draft or returned; its file goes once the
    deletion is committed (a rollback keeps both)."""
    current, dossier = _locked(opinion.dossier.registration)
    if dossier is None or dossier.pk != opinion.dossier_id:
        raise ValidationError(_("Ý kiến này không thuộc hồ sơ đang xem."), code="missing")
    if not _may(user, "appraisal.change_dossier", dossier):
        raise ValidationError(_("Chỉ bí thư đơn vị hoặc cán bộ cấp trên mới xóa được ý kiến."), code="forbidden")
    if dossier.status not in EDITABLE_STATUSES:
        raise ValidationError(_("Hồ sơ đã gửi đề nghị; không xóa ý kiến được nữa."), code="not_editable")
    name = opinion.file.name
    DossierOpinion.objects.filter(pk=opinion.pk).delete()
    transaction.on_commit(lambda: _delete_file(name))
    return dossier


def opinion_download_name(opinion):
    """The uploader's name with the extension of what the file is (as Evidence.download_name)."""
    from pathlib import PurePosixPath

    stem = PurePosixPath(opinion.original_name.replace("\\", "/")).stem.strip(" .") or "y-kien"
    return f"{stem}.{EXTENSIONS.get(opinion.content_type, 'bin')}"


__all__ = [
    "EvidenceRefused",
    "EvidenceTooLarge",
    "budget_text",
    "dossier_of",
    "dossier_or_new",
    "dossier_return",
    "dossier_save",
    "dossier_submit",
    "opinion_add",
    "opinion_delete",
    "results_prefill",
]
