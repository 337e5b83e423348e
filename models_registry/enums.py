from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Báo cáo tiến độ")
    RESULT = "result", _("Báo cáo kết quả")


class EvidenceKind(models.TextChoices):
    IMAGE = "image", _("Hình ảnh")
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Văn bản Word")
    XLSX = "xlsx", _("Bảng tính Excel")
    VIDEO = "video", _("Video")
