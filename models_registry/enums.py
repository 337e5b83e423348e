from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.enums import RegistrationStatus as S

# The unit still edits these (a draft, or one returned for revision).
EDITABLE = (S.DRAFT, S.RETURNED)
# The unit may take these back, before the registration deadline.
WITHDRAWABLE = (S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED)


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Báo cáo tiến độ")
    RESULT = "result", _("Báo cáo kết quả")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Hình ảnh")
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Văn bản Word")
    XLSX = "xlsx", _("Bảng tính Excel")
    VIDEO = "video", _("Video")
