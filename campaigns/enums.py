from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đã ban hành")
    CLOSED = "closed", _("Đã kết thúc")
    ARCHIVED = "archived", _("Lưu trữ")


class IssuingBody(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Đảng ủy, Tỉnh ủy (Ban Thường vụ)")
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    MASS_MOBILISATION_BOARD = "mass_mobilisation_board", _("Ban Dân vận")
    PARTY_BUILDING_BOARD = "party_building_board", _("Ban Xây dựng Đảng")
    HOME_AFFAIRS = "home_affairs", _("Sở Nội vụ")
    STEERING_COMMITTEE = "steering_committee", _("Ban Chỉ đạo phong trào")
    FATHERLAND_FRONT = "fatherland_front", _("Mặt trận Tổ quốc")
    OTHER = "other", _("Khác")


class SubjectType(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Trả lại để sửa")
    ACCEPTED = "accepted", _("Đã duyệt")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    COMPLETED = "completed", _("Hoàn thành")
    WITHDRAWN = "withdrawn", _("Đã rút")
    REJECTED = "rejected", _("Không duyệt")


# What a quota counts (DOMAIN.md): late ones included, drafts and refusals not.
COUNTED_STATUSES = (
    RegistrationStatus.SUBMITTED,
    RegistrationStatus.ACCEPTED,
    RegistrationStatus.IN_PROGRESS,
    RegistrationStatus.COMPLETED,
)


class QuotaScope(models.TextChoices):
    PER_TARGET = "per_target", _("Mỗi tổ chức được giao")
    TOTAL = "total", _("Tổng cho toàn cấp")


class Recurrence(models.TextChoices):
    NONE = "none", _("Một lần")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


class ComplianceStatus(models.TextChoices):
    MET = "met", _("Đạt")
    BEHIND = "behind", _("Chưa đạt")
    OVERDUE = "overdue", _("Quá hạn")
    NOT_TARGETED = "none", _("Không giao chỉ tiêu")


class ReminderKind(models.TextChoices):
    REMINDER = "reminder", _("Nhắc hạn")
    ESCALATION = "escalation", _("Báo cấp trên")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    SUPERSEDED = "superseded", _("Bỏ qua (đã có nhắc gần hơn)")
