from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    LEGACY_DISTRICT = "legacy_district", _("Huyện (cũ)")
    COMMUNE = "commune", _("Xã, phường")
    UNIT = "unit", _("Đơn vị, chi bộ, đoàn thể")
    VILLAGE = "village", _("Thôn, bản, khu dân cư")


# Which level may sit under which: a guard against obvious mistakes in imports and moves
# (a province under a party cell), loose enough for the 2025 reform's shapes.
ALLOWED_CHILD_LEVELS = {
    Level.PROVINCE: {Level.LEGACY_DISTRICT, Level.COMMUNE, Level.UNIT},
    Level.LEGACY_DISTRICT: {Level.COMMUNE, Level.UNIT},
    Level.COMMUNE: {Level.UNIT, Level.VILLAGE},
    Level.UNIT: {Level.UNIT, Level.VILLAGE},
    Level.VILLAGE: set(),
}


class Kind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Cấp hành chính")
    PARTY_COMMITTEE = "party_committee", _("Đảng ủy, Tỉnh ủy")
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    FATHERLAND_FRONT = "fatherland_front", _("Mặt trận Tổ quốc")
    MASS_MOBILISATION_BOARD = "mass_mobilisation_board", _("Ban Dân vận")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    WOMEN = "women", _("Hội Liên hiệp Phụ nữ")
    YOUTH = "youth", _("Đoàn Thanh niên")
    FARMERS = "farmers", _("Hội Nông dân")
    PARTY_CELL = "party_cell", _("Chi bộ, đảng bộ cơ sở")
    AGENCY = "agency", _("Cơ quan, sở, ngành")
    SCHOOL = "school", _("Trường học")
    HEALTH_STATION = "health_station", _("Trạm y tế, cơ sở y tế")
    POLICE = "police", _("Công an")
    MILITARY = "military", _("Quân sự")
    COMMUNITY = "community", _("Tổ chức cộng đồng")
    VILLAGE = "village", _("Thôn, bản, khu dân cư")
    OTHER = "other", _("Khác")


class Role(models.TextChoices):
    # Staff manage their organisation and everything below it (Ban Xây dựng Đảng, Ban Dân vận...).
    STAFF = "staff", _("Cán bộ phụ trách")
    # A secretary acts for one unit: registers its models and reports on them.
    SECRETARY = "secretary", _("Bí thư, người đăng ký")
    MEMBER = "member", _("Thành viên (chỉ xem)")
