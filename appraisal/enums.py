"""Fixed values of appraisal: the default rubric a campaign starts from (editable per campaign)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The criteria every campaign starts from (DOMAIN.md §7: effectiveness, creativity,
# sustainability, spread, the people's participation): a member's total is the plain sum of
# the points, out of 100.
DEFAULT_CRITERIA = (
    (_("Hiệu quả"), 30),
    (_("Sáng tạo"), 20),
    (_("Bền vững"), 20),
    (_("Lan tỏa và khả năng nhân rộng"), 15),
    (_("Sự tham gia và hài lòng của Nhân dân"), 15),
)
DEFAULT_THRESHOLD = 70
# Bands from the highest down: a total at or above `min` earns `name`.
DEFAULT_BANDS = (
    (_("Xuất sắc"), 90),
    (_("Tốt"), 80),
    (_("Đạt"), 70),
)


class BoardRole(models.TextChoices):
    """A member's place on the board (seed 004, III: trưởng đoàn, phó đoàn, thành viên, thư ký)."""

    HEAD = "head", _("Trưởng đoàn")
    DEPUTY = "deputy", _("Phó Trưởng đoàn")
    MEMBER = "member", _("Thành viên")
    SECRETARY = "secretary", _("Thư ký")
    GUEST = "guest", _("Khách mời")


# The secretary and invited guests take part without a vote unless the board marks them voting.
NON_VOTING_BY_DEFAULT = (BoardRole.SECRETARY, BoardRole.GUEST)


class ConflictKind(models.TextChoices):
    """Why a member may not score a registration. ROLE and SUBJECT are computed from the tree and
    the registration (selectors.conflicts_of); DECLARED and RECUSAL are stored rows."""

    ROLE = "role", _("Giữ vai trò tại đơn vị đăng ký hoặc đơn vị trung gian")
    SUBJECT = "subject", _("Là người được đề nghị (đăng ký cá nhân)")
    DECLARED = "declared", _("Tự khai có xung đột lợi ích")
    RECUSAL = "recusal", _("Trưởng đoàn ghi nhận không tham gia chấm")


STORED_CONFLICT_KINDS = (ConflictKind.DECLARED, ConflictKind.RECUSAL)


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi đề nghị")
    RETURNED = "returned", _("Trả lại để bổ sung")


class OpinionBody(models.TextChoices):
    """Whose opinion the dossier carries (seed 004, III: ý kiến của cấp ủy, chính quyền, Mặt trận)."""

    PARTY_COMMITTEE = "party_committee", _("Cấp ủy")
    GOVERNMENT = "government", _("Chính quyền")
    FRONT = "front", _("Mặt trận Tổ quốc")
    OTHER = "other", _("Khác")


# A board takes registrations in these statuses, under a campaign in these statuses (closing
# stops registering, not appraisal; an archived campaign is read-only).
APPRAISABLE_REGISTRATION_STATUSES = ("accepted", "in_progress", "completed")
APPRAISABLE_CAMPAIGN_STATUSES = ("published", "closed")

# The detailed report must fit 5 A4 pages (seed 004). Until the documents issue renders it, the
# five text fields together are held to a character budget measured once with WeasyPrint:
# `.venv/bin/python scripts/measure_report_budget.py` lays out Vietnamese running text under the
# report's six headings on A4, margins 2 cm top/bottom, 3 cm left, 2 cm right, 14 pt Times New
# Roman (Liberation Serif, same metrics), line height 1.15, justified paragraphs (the layout of
# Decree 30/2020), and finds the most characters that still fit 5 pages: 12,462, that is 2,492
# a page, headings' space included (measured 02/12/2026, WeasyPrint 70).
REPORT_PAGE_LIMIT = 5
REPORT_CHARACTERS_PER_PAGE = 2492
REPORT_CHARACTER_BUDGET = REPORT_PAGE_LIMIT * REPORT_CHARACTERS_PER_PAGE

# How many years of a continued initiative the report's results are prefilled from.
REPORT_PREFILL_YEARS = 5


# --- scoring (part 2) -------------------------------------------------------------------------


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chấm")
    SUBMITTED = "submitted", _("Đã nộp phiếu")


class ResultMethod(models.TextChoices):
    """How a registration's result is drawn from its members' totals (a board setting)."""

    MEAN = "mean", _("Trung bình cộng")
    MEDIAN = "median", _("Trung vị")


# Members whose totals for one registration differ by more than this many points flag it for
# discussion at the board's meeting (a board setting).
DEFAULT_DISAGREEMENT_POINTS = 20


class ChangeKind(models.TextChoices):
    """What the "changed since" feed tells a member's device about their assignments."""

    ASSIGNED = "assigned", _("Được phân công")
    UNASSIGNED = "unassigned", _("Thôi phân công")
    REOPENED = "reopened", _("Trưởng đoàn mở lại phiếu chấm")
    CONFLICT = "conflict", _("Ghi nhận xung đột lợi ích")
    SCORING_CLOSED = "scoring_closed", _("Trưởng đoàn khóa chấm điểm")
    SCORING_REOPENED = "scoring_reopened", _("Trưởng đoàn mở lại chấm điểm")


class ScoringReminderStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    SUPERSEDED = "superseded", _("Không cần gửi")


class MeetingStatus(models.TextChoices):
    """The board's review meeting (họp bình xét): recorded beforehand, opened (the ranked
    results frozen, ballots recorded), ended (the minutes final)."""

    PLANNED = "planned", _("Chưa họp")
    OPEN = "open", _("Đang họp")
    ENDED = "ended", _("Đã kết thúc")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    WRITTEN = "written", _("Vắng mặt, có phiếu biểu quyết bằng văn bản")
    ABSENT = "absent", _("Vắng mặt")


class VoteChoice(models.TextChoices):
    FOR = "for", _("Tán thành")
    AGAINST = "against", _("Không tán thành")
    ABSTAIN = "abstain", _("Không biểu quyết")


class Decision(models.TextChoices):
    """What a ballot decides (the board's decision rules, meetings.py)."""

    RECOGNISE = "recognise", _("Công nhận")
    PROPOSE = "propose", _("Công nhận và đề nghị cấp trên")
    NOT_RECOGNISE = "not_recognise", _("Không công nhận")


# The decision rules' defaults (board settings, printed in the minutes): a fraction of the
# voting members. Quorum: present in person, at least this share (rounded up). Recognise: votes
# for more than this share. Propose: votes for at least this share (rounded up; 80%, the share
# Decree 98/2023 art. 30(7) required for the lowest emulation titles; provinces now set their own).
DEFAULT_QUORUM_SHARE = "2/3"
DEFAULT_RECOGNISE_SHARE = "1/2"
DEFAULT_PROPOSE_SHARE = "4/5"


class ProposalStatus(models.TextChoices):
    """A model proposed to the level above (proposals.py)."""

    SENT = "sent", _("Đã gửi lên cấp trên")
    RECEIVED = "received", _("Cấp trên đã tiếp nhận")
    WITH_BOARD = "with_board", _("Đoàn thẩm định cấp trên đang xem xét")
    ACCEPTED = "accepted", _("Cấp trên đã công nhận")
    DECLINED = "declined", _("Cấp trên không công nhận")
