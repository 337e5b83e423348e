"""The annex 01 import: registrations of units that still file on paper, typed into the
annex 01 workbook (models_registry.exports) and imported by staff under one campaign.

One code path for the preview and the real run: the file is read once through dvk.excel
(size, zip and XML checks before parsing) into rows the server keeps for the confirm step
(`rows_to_json`; never a copy sent back by the browser), every row is checked against the
campaign and the acting organisation's subtree with a fixed number of queries, on preview
and again on confirm, and only a file whose every row is valid is written, in one
transaction, in batches. Row errors are Vietnamese and name the Excel row ("Dòng 7: ...").

django-import-export (used for the tree import) is not used here: its per-row instance
lookup and save would cost several queries per row, and a 10,000-row annex must import in
seconds."""

import datetime
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.enums import CampaignStatus, SubjectType
from campaigns.enums import RegistrationStatus as S
from campaigns.models import Field
from campaigns.selectors import derived_campaign_paths
from dvk.excel import ExcelError, read_sheet
from dvk.selectors import subtree_of
from dvk.text import clean_text, normalize_search, vietnamese_name_sort_key

from . import exports as c
from .models import Initiative, Registration, RegistrationTarget
from .services import registration_is_late
from .validation import submission_errors

BATCH = 1000
# Read but not imported: the number, the organisation's name (the code decides) and the
# status (an imported registration is always submitted).
OPTIONAL_COLUMNS = {c.STT, c.ORG_NAME, c.STATUS}
REQUIRED_COLUMNS = [col for col in c.COLUMNS if col not in OPTIONAL_COLUMNS]
PREVIEW_ROWS = 200

# Text columns → model fields; TEXT_AREAS keep their line breaks.
TEXT_FIELDS = {
    c.PERSON_NAME: "person_name",
    c.PERSON_POSITION: "person_position",
    c.PERSON_UNIT: "person_unit",
    c.LOCATION: "location",
    c.RESPONSIBLE: "responsible_person",
    c.AUTHORITY: "authority",
}
TEXT_AREAS = {
    c.PARTICIPANTS: "participants",
    c.CONTENT: "content",
    c.RESPONSIBILITY: "responsibility",
    c.SCHEDULE: "schedule",
}
# submission_errors keys → the column a user fixes.
KEY_COLUMNS = {
    "field": c.FIELD,
    "starts_on": c.STARTS_ON,
    "completes_on": c.COMPLETES_ON,
    "targets": c.TARGETS,
    "person_address": c.ADDRESS,
    "contact_phone": c.PHONE,
    "person_phone": c.PHONE,
    **{v: k for k, v in {**TEXT_FIELDS, **TEXT_AREAS}.items()},
}
DATE_RE = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
# The figure is digits with "." and "," only, the unit may follow it directly ("12.000.000đ");
# but "1e5" is a figure in another notation, not 1 of a unit "e5".
TARGET_RE = re.compile(r"^(?P<indicator>.+?)\s*:\s*(?P<value>\d[\d.,]*)\s*(?P<unit>(?![eE][+-]?\d)\S.*)$")
SUBJECTS = {
    **{normalize_search(label): value for value, label in SubjectType.choices},
    **{value: value for value in SubjectType.values},
}
NEW_OR_CONTINUED = {"": False, normalize_search(c.NEW): False, normalize_search(c.CONTINUED): True}


def _header_key(text):
    return normalize_search(text).replace(" ", "")


HEADER_KEYS = {_header_key(col): col for col in c.COLUMNS}
# A text cell longer than this is a pasted document, not a registration form's answer.
MAX_TEXT_AREA_LENGTH = 10_000
MAX_LENGTHS = {
    f.attname: f.max_length or MAX_TEXT_AREA_LENGTH
    for f in Registration._meta.concrete_fields
    if isinstance(f, (models.CharField, models.TextField))
}


@dataclass
class ReportRow:
    number: int
    org_code: str
    org_name: str = ""
    name: str = ""
    subject: str = ""
    person_name: str = ""
    field_name: str = ""
    targets: str = ""
    continued: bool = False
    errors: list = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    error: str = ""  # a problem with the whole file or the request, not with one row
    late: bool = False
    written: bool = False
    created: int = 0

    @property
    def has_errors(self):
        return bool(self.error) or any(r.errors for r in self.rows)

    @property
    def error_rows(self):
        return [r for r in self.rows if r.errors]


def _columns(headers):
    """({column: position}, [problems]) of a header row; labels match ignoring case, spaces
    and diacritics ("THOI GIAN BAT DAU", "Tập thể / Cá nhân")."""
    index, problems, unknown, repeated = {}, [], [], []
    for position, header in enumerate(headers):
        if header == "":
            continue
        column = HEADER_KEYS.get(_header_key(header))
        if column is None:
            unknown.append(header)
        elif column in index:
            repeated.append(column)
        else:
            index[column] = position
    missing = [col for col in REQUIRED_COLUMNS if col not in index]
    if missing:
        problems.append(_("thiếu cột: %s") % ", ".join(missing))
    if unknown:
        problems.append(_("cột không nhận ra: %s") % ", ".join(unknown))
    if repeated:
        problems.append(_("cột bị lặp: %s") % ", ".join(repeated))
    return index, problems


def _text(value):
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return clean_text(value)


def _multiline(value):
    """NFC text that keeps its line breaks (Alt+Enter inside a cell), each line trimmed."""
    if value is None or value == "":
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def parse_date(value):
    """(date, None) or (None, error). Excel dates and dd/mm/yyyy text are accepted."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = _text(value)
    match = DATE_RE.match(text)
    if match:
        try:
            return datetime.date(int(match[3]), int(match[2]), int(match[1])), None
        except ValueError:
            pass
    return None, text


def parse_number(text):
    """A positive figure written the Vietnamese way ("12.000.000", "2,5") or plainly
    ("12000000", "2.5", "12,000,000.5"); None if it is not a number."""
    text = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d+", text):
        text = text.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above only let digits through
        return None


def parse_targets(value):
    """([{indicator, value, unit}], [errors]) from "indicator: value unit; ..."."""
    targets, errors = [], []
    text = _multiline(value)
    for part in (p.strip() for p in re.split(r"[;\n]", text)):
        if not part:
            continue
        match = TARGET_RE.match(part)
        number = parse_number(match["value"].rstrip(".,")) if match else None
        if match is None or number is None:
            errors.append(
                _(
                    "Kết quả cần đạt “%(part)s” không đúng dạng “chỉ tiêu: con số đơn vị tính” "
                    "(ví dụ “Số hộ tham gia: 120 hộ”)."
                )
                % {"part": part}
            )
            continue
        indicator, unit = match["indicator"].strip(), match["unit"].strip()
        if number <= 0 or number >= Decimal("1e12") or -number.normalize().as_tuple().exponent > 2:
            errors.append(
                _("Kết quả cần đạt “%(part)s”: con số phải lớn hơn 0, tối đa 2 chữ số thập phân.") % {"part": part}
            )
        elif len(indicator) > 255 or len(unit) > 50:
            errors.append(
                _("Kết quả cần đạt “%(part)s”: tên chỉ tiêu tối đa 255 ký tự, đơn vị tính tối đa 50 ký tự.")
                % {"part": part}
            )
        else:
            targets.append({"indicator": indicator, "value": number, "unit": unit})
    return targets, errors


def _phone(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A number typed into a General cell loses its leading zero: 912345678 → 0912345678.
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    return _text(value)


class _Context:
    """Everything the rows are checked against, loaded in a fixed number of queries."""

    def __init__(self, *, org, campaign, rows):
        self.org = org
        self.campaign = campaign
        prefetch_related_objects([campaign], "fields")
        allowed = list(campaign.fields.all()) or list(Field.objects.all())
        self.fields = {}
        for f in allowed:
            self.fields[normalize_search(f.name)] = f
            self.fields[f.code] = f
        self.field_names = ", ".join(f.name for f in allowed)
        codes = {_text(values.get(c.ORG_CODE)).upper() for _n, values in rows}
        self.orgs = {o.code: o for o in subtree_of(org).filter(code__in=codes)}
        self.picked = set(campaign.target_organizations.values_list("id", flat=True))
        self.derived_paths = derived_campaign_paths(campaign)
        org_ids = [o.pk for o in self.orgs.values()]
        self.registered = set(
            Registration.objects.filter(campaign=campaign, organization_id__in=org_ids)
            .exclude(status=S.WITHDRAWN)
            .values_list("organization_id", "initiative__search_name")
        )
        # Every model registered under this campaign, withdrawn ones too: a model is registered
        # once per campaign (the registration_once_per_campaign constraint).
        self.taken_initiatives = set(
            Registration.objects.filter(campaign=campaign, organization_id__in=org_ids).values_list(
                "initiative_id", flat=True
            )
        )
        self.earlier = {}
        continued = [
            normalize_search(_text(values.get(c.NAME)))
            for _n, values in rows
            if normalize_search(_text(values.get(c.NEW_OR_CONTINUED))) == normalize_search(c.CONTINUED)
        ]
        if continued:
            earlier = (
                Registration.objects.filter(organization_id__in=org_ids, initiative__search_name__in=set(continued))
                .exclude(campaign=campaign)
                .exclude(status__in=[S.DRAFT, S.WITHDRAWN, S.REJECTED])
                .select_related("initiative")
                .prefetch_related("targets")
                .order_by("campaign__period_start", "pk")
            )
            for registration in earlier:  # the latest one wins
                self.earlier[(registration.organization_id, registration.initiative.search_name)] = registration

    def targeted(self, org):
        as_dict = {"id": org.pk, "path": org.path, "depth": org.depth, "level": org.level, "kind": org.kind}
        return self.campaign.selects_target(as_dict, self.picked)

    def under_derived_campaign(self, org):
        return any(org.path.startswith(path) for path in self.derived_paths)


def _check_row(ctx, number, values, seen):
    """(ReportRow, unsaved Registration, its unsaved targets); written only if no row has errors."""
    get = values.get
    code = _text(get(c.ORG_CODE)).upper()
    row = ReportRow(number=number, org_code=code)
    errors = row.errors
    bad_keys = set()

    organization = ctx.orgs.get(code)
    if not code:
        errors.append(_("Thiếu mã tổ chức."))
    elif organization is None:
        errors.append(_("Mã tổ chức %(code)s không thuộc %(org)s.") % {"code": code, "org": ctx.org.name})
    else:
        row.org_name = organization.name
        if organization.archived_at is not None:
            errors.append(_("Tổ chức %(code)s đã được lưu trữ, không đăng ký được.") % {"code": code})
        elif not ctx.targeted(organization):
            errors.append(
                _("%(org)s (%(code)s) không thuộc đối tượng của kế hoạch %(number)s.")
                % {"org": organization.name, "code": code, "number": ctx.campaign.number}
            )
        elif ctx.under_derived_campaign(organization):
            errors.append(
                _("%(org)s thuộc cấp đã có kế hoạch riêng triển khai kế hoạch %(number)s; hãy nhập theo kế hoạch đó.")
                % {"org": organization.name, "number": ctx.campaign.number}
            )

    name = _text(get(c.NAME))
    row.name = name
    key = normalize_search(name)
    if not name:
        errors.append(_("Thiếu tên mô hình."))
    elif len(name) > 500:
        errors.append(_("Tên mô hình dài quá 500 ký tự."))
    elif code:
        if (code, key) in seen:
            errors.append(
                _("Trùng với dòng %(other)s: cùng tổ chức, cùng tên mô hình “%(name)s”.")
                % {"other": seen[(code, key)], "name": name}
            )
        else:
            seen[(code, key)] = number
        if organization is not None and (organization.pk, key) in ctx.registered:
            errors.append(
                _("Mô hình “%(name)s” đã được %(org)s đăng ký theo kế hoạch %(number)s.")
                % {"name": name, "org": organization.name, "number": ctx.campaign.number}
            )

    subject_text = _text(get(c.SUBJECT))
    subject = SUBJECTS.get(normalize_search(subject_text))
    row.subject = str(SubjectType(subject).label) if subject else subject_text
    if subject is None:
        errors.append(
            _("Cột “%(column)s”: “%(value)s” không hợp lệ; ghi “Tập thể” hoặc “Cá nhân”.")
            % {"column": c.SUBJECT, "value": subject_text}
        )
    individual = subject == SubjectType.INDIVIDUAL

    data = {attr: _text(get(column)) for column, attr in TEXT_FIELDS.items()}
    data.update({attr: _multiline(get(column)) for column, attr in TEXT_AREAS.items()})
    phone = _phone(get(c.PHONE))
    data["contact_phone"] = phone
    if individual:
        data["person_phone"] = phone
        data["person_address"] = _text(get(c.ADDRESS))
    else:
        # A collective's address is its organisation's; the person columns belong to individuals.
        data["person_name"] = data["person_position"] = data["person_unit"] = ""
    for attr, value in data.items():
        limit = MAX_LENGTHS.get(attr)
        if limit and len(value) > limit:
            errors.append(_("Cột “%(column)s” dài quá %(n)s ký tự.") % {"column": KEY_COLUMNS[attr], "n": limit})
            bad_keys.add(attr)
    row.person_name = data["person_name"]

    field_text = _text(get(c.FIELD))
    chosen_field = ctx.fields.get(normalize_search(field_text)) if field_text else None
    if field_text and chosen_field is None:
        errors.append(
            _("Lĩnh vực “%(value)s” không có trong kế hoạch; dùng một trong: %(allowed)s.")
            % {"value": field_text, "allowed": ctx.field_names}
        )
        bad_keys.add("field")
    row.field_name = chosen_field.name if chosen_field else field_text

    for column, attr in ((c.STARTS_ON, "starts_on"), (c.COMPLETES_ON, "completes_on")):
        day, bad = parse_date(get(column))
        if bad:
            errors.append(
                _("%(column)s “%(value)s” không đúng dạng ngày/tháng/năm (dd/mm/yyyy).")
                % {"column": column, "value": bad}
            )
            bad_keys.add(attr)
        data[attr] = day

    continued_text = _text(get(c.NEW_OR_CONTINUED))
    continued = NEW_OR_CONTINUED.get(normalize_search(continued_text))
    if continued is None:
        errors.append(
            _("Cột “%(column)s”: “%(value)s” không hợp lệ; ghi “Mới” hoặc “Duy trì”.")
            % {"column": c.NEW_OR_CONTINUED, "value": continued_text}
        )
    row.continued = bool(continued)
    earlier = None
    if continued and organization is not None and name:
        earlier = ctx.earlier.get((organization.pk, key))
        if earlier is None:
            errors.append(
                _(
                    "Không tìm thấy mô hình “%(name)s” của %(org)s ở kế hoạch trước để duy trì; "
                    "nếu là mô hình mới, ghi “Mới”."
                )
                % {"name": name, "org": organization.name}
            )
        elif earlier.initiative_id in ctx.taken_initiatives:
            errors.append(
                _("Mô hình “%(name)s” của %(org)s đã được đăng ký (kể cả đã rút) theo kế hoạch %(number)s.")
                % {"name": name, "org": organization.name, "number": ctx.campaign.number}
            )

    targets, target_errors = parse_targets(get(c.TARGETS))
    errors.extend(target_errors)
    if target_errors:
        bad_keys.add("targets")
    row.targets = "; ".join(f"{t['indicator']}: {c.format_number(t['value'])} {t['unit']}" for t in targets)

    # Checked even when the organisation or the subject is wrong, so a row lists all its errors.
    registration = Registration(
        campaign=ctx.campaign,
        organization=organization,
        subject_type=subject or "",
        field=chosen_field,
        continues=earlier,
        **data,
    )
    registration.initiative = earlier.initiative if earlier else Initiative(organization=organization, name=name)
    unsaved = [RegistrationTarget(registration=registration, position=i, **t) for i, t in enumerate(targets)]
    for attr, messages in submission_errors(registration, unsaved).items():
        # The name is checked above (the initiative is not saved yet); a column already
        # reported as unreadable is not reported again as missing.
        if attr != "name" and attr not in bad_keys:
            errors.extend(str(m) for m in messages)
    return row, registration, unsaved


def _json_value(value):
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, (datetime.time, datetime.timedelta)):
        return str(value)
    return value


def _from_json(value):
    if isinstance(value, dict):
        if "$datetime" in value:
            return datetime.datetime.fromisoformat(value["$datetime"])
        return datetime.date.fromisoformat(value["$date"])
    return value


def rows_to_json(rows):
    """The rows read from an upload, for the server-side copy the confirm step re-checks."""
    return json.dumps([[n, {k: _json_value(v) for k, v in values.items()}] for n, values in rows], ensure_ascii=False)


def rows_from_json(text):
    return [(n, {k: _from_json(v) for k, v in values.items()}) for n, values in json.loads(text)]


def read_annex01(upload):
    """([(excel row number, {column: value})], error) of an uploaded annex 01.

    The file's size, zip structure and XML are checked by dvk.excel before anything is
    parsed; the header row must hold the annex's columns."""
    try:
        sheet = read_sheet(upload)
    except ExcelError as exc:
        return [], str(exc)
    index, problems = _columns(sheet.headers)
    if problems:
        return [], _("Tệp không đúng mẫu phụ lục 01 (%(problems)s). Các cột cần có: %(columns)s. Hãy tải tệp mẫu.") % {
            "problems": "; ".join(problems),
            "columns": ", ".join(REQUIRED_COLUMNS),
        }
    if not sheet.rows:
        return [], _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
    return [(number, {col: values[i] for col, i in index.items()}) for number, values in sheet.rows], ""


def _check_request(*, campaign, org, user, late_reason, today, report):
    if campaign.status != CampaignStatus.PUBLISHED:
        report.error = _("Kế hoạch %s không còn nhận đăng ký.") % campaign.number
        return
    if not org.path.startswith(campaign.organization.path):
        report.error = _("Kế hoạch %s không phải của cấp này hoặc cấp trên.") % campaign.number
        return
    report.late = registration_is_late(campaign, today)
    if report.late:
        if not user.has_perm("models_registry.register_late", campaign):
            report.error = (
                _("Đã quá hạn đăng ký của kế hoạch %s; chỉ cán bộ phụ trách cấp ban hành mới nhập bổ sung được.")
                % campaign.number
            )
        elif not late_reason.strip():
            report.error = _("Đã quá hạn đăng ký của kế hoạch %s: hãy ghi lý do đăng ký muộn.") % campaign.number


def registration_import(*, org, campaign, rows, user, dry_run, late_reason="", today=None):
    """Checks `rows` (from read_annex01) one by one under `campaign`, for organisations of
    `org`'s subtree; returns an ImportReport. Must run inside `org`'s scope.

    Writes only if not `dry_run` and every row is valid, all in one transaction: per row an
    initiative (or the earlier one, for a continued model), a registration submitted by
    `user` (late, with `late_reason`, after the registration deadline) and its targets, each
    with its history row."""
    report = ImportReport()
    _check_request(campaign=campaign, org=org, user=user, late_reason=late_reason, today=today, report=report)
    if report.error:
        return report
    ctx = _Context(org=org, campaign=campaign, rows=rows)
    seen = {}
    checked = []
    for number, values in rows:
        row, registration, targets = _check_row(ctx, number, values, seen)
        report.rows.append(row)
        checked.append((registration, targets))
    if dry_run or report.has_errors:
        return report
    _write(checked, user=user, late=report.late, late_reason=late_reason.strip())
    report.written = True
    report.created = len(checked)
    return report


# Columns simple_history adds to a historical table; the others copy the row itself.
HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user_id")


def _bulk_create_audited(objs, model, *, user, when):
    """bulk_create, then one "created" history row per object, copied by the database from
    the rows just written (INSERT ... SELECT): the audit trail simple_history would write,
    without building a second model instance per row in Python."""
    model._default_manager.bulk_create(objs, batch_size=BATCH)
    history = model.history.model
    quote = connection.ops.quote_name
    copied = [f.column for f in history._meta.concrete_fields if f.column not in HISTORY_COLUMNS]
    target = ", ".join(quote(col) for col in [*copied, *HISTORY_COLUMNS[1:]])
    source = ", ".join(quote(col) for col in copied)
    params = [connection.ops.adapt_datetimefield_value(when), _("Nhập từ Excel (phụ lục 01)"), user.pk]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            ids = [obj.pk for obj in objs[start : start + BATCH]]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({target}) "
                f"SELECT {source}, %s, %s, '+', %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})",
                [*params, *ids],
            )


@transaction.atomic
def _write(checked, *, user, late, late_reason):
    now = timezone.now()
    initiatives = [r.initiative for r, _t in checked if r.initiative.pk is None]
    for initiative in initiatives:  # what Initiative.save() does; bulk_create skips save()
        initiative.name = clean_text(initiative.name)
        initiative.search_name = normalize_search(initiative.name)
    _bulk_create_audited(initiatives, Initiative, user=user, when=now)
    registrations = []
    for registration, _targets in checked:
        registration.initiative = registration.initiative  # picks up the new primary key
        registration.status = S.SUBMITTED
        registration.submitted_at = now
        registration.created_by = user
        registration.is_late = late
        registration.late_reason = late_reason if late else ""
        # What Registration.save() computes.
        registration.person_name_sort_key = vietnamese_name_sort_key(registration.person_name)
        registration.search_text = normalize_search(f"{registration.initiative.name} {registration.person_name}")[:700]
        registrations.append(registration)
    _bulk_create_audited(registrations, Registration, user=user, when=now)
    targets = []
    for registration, row_targets in checked:
        for target in row_targets:
            target.registration = registration  # picks up the new primary key
            targets.append(target)
    _bulk_create_audited(targets, RegistrationTarget, user=user, when=now)
