"""Demo campaigns for `manage.py seed_demo` (found by dvk.demo through the installed apps).

History, with the seeds' real numbers and dates, closed through `services.campaign_close` so
their compliance is frozen in a snapshot (after models_registry's demo step has added their
registrations, hence the closing in FINISH_STEPS):

* Đồng Phú 11-KH/ĐU (seed 000): each party cell and each MTTQ body ≥ 1; registration
  27/9/2025, completion before 11/2025, survey window 01-30/11/2025 overlapping the result
  report due 10/11/2025.
* Vĩnh Long, the plan attached to 553/QĐ-UBND (seed 001): 02 collective + 04 individual for
  the provincial agencies, 05 + 10 for police, military, education, health and the former
  districts including their offices and communes; registration to Sở Nội vụ by 15/4/2025,
  award dossier by 15/12/2025.
* Nghệ An's Hướng dẫn 12-HD/BCĐ of 19/9/2025, which seed 004 cites, and the Diễn Châu 2026
  plan derived from it: each unit ≥ 1, the commune ≥ 42 in total; registration 05/3/2026,
  result report 10/9/2026, consolidated report 15/10/2026.

Live: a Nghệ An 2027 plan and the Diễn Châu 2027 plan derived from it, same quota shapes,
published, with milestones relative to the day the demo is built (registration due five
days later: the 7-day reminders are due and registering is still open).

Where a seed leaves something out (Diễn Châu's document number and date, the province's own
deadlines), the value here is invented and marked so. Campaigns are looked up by
(organisation, number): a second run creates nothing.
"""

import contextlib
import io
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q

from dvk.demo import demo_usernames, in_demo_tree, purge_history
from dvk.enums import Kind, Level
from dvk.models import Notification

from . import services
from .enums import CampaignStatus, IssuingBody, QuotaScope
from .models import Campaign, Field, Milestone, MilestoneKind, Quota, Reminder

LABELS = {
    "campaigns": "Kế hoạch",
    "quotas": "Chỉ tiêu",
    "milestones": "Mốc thời gian",
    "closed": "Kế hoạch đã kết thúc (lưu lịch sử)",
    "reminders": "Lời nhắc",
    "notifications": "Thông báo",
}

KT, VH, QP, TG, CT = (
    "kinh-te",
    "van-hoa-xa-hoi",
    "quoc-phong-an-ninh",
    "ton-giao-dan-toc",
    "xay-dung-he-thong-chinh-tri",
)


def quota(
    label,
    *,
    scope=QuotaScope.PER_TARGET,
    levels=(),
    kinds=(),
    organizations=(),
    excluded=(),
    counts_subtree=False,
    total=0,
    collective=0,
    individual=0,
):
    return {
        "label": label,
        "scope": scope,
        "levels": list(levels),
        "kinds": list(kinds),
        "organizations": list(organizations),
        "excluded": list(excluded),
        "counts_subtree": counts_subtree,
        "min_total": total,
        "min_collective": collective,
        "min_individual": individual,
    }


def milestone(kind, due_on, title, *, starts_on=None):
    """`due_on` and `starts_on` are dates or functions of the build day (live campaigns)."""
    return {"kind": kind, "due_on": due_on, "starts_on": starts_on, "title": title}


# --------------------------------------------------------------------------------------------
# History: the seeds.
# --------------------------------------------------------------------------------------------

DONG_PHU_2025 = {
    "key": "dongphu-2025",
    "history": True,
    "org": "DNAI-DONGPHU",
    "created_by": "demo-xa-khac",
    "number": "11-KH/ĐU",
    "title": "Kế hoạch tiếp tục thực hiện phong trào thi đua “Dân vận khéo” những tháng cuối năm 2025",
    "issuing_body": IssuingBody.PARTY_COMMITTEE,
    "issuing_body_name": "Đảng ủy xã Đồng Phú",
    "signer_name": "Nguyễn Tấn Hùng",
    "signer_title": "T/M ĐẢNG ỦY, BÍ THƯ",
    # The seed's forms cite "Kế hoạch số ... ngày .../9/2025": the day is left blank there.
    "issued_on": date(2025, 9, 10),
    "legal_bases": (
        "Thực hiện Chương trình số 01-CTr/ĐU ngày 02/7/2025 của Ban Chấp hành Đảng bộ về Chương trình công tác "
        "của Thường trực, Ban Thường vụ, Ban Chấp hành Đảng bộ xã 06 tháng cuối năm 2025;\n"
        "Căn cứ Công văn số 49-CV/ĐU ngày 26/8/2025 của Đảng ủy xã Đồng Phú về tiếp tục đẩy mạnh phong trào "
        "thi đua “Dân vận khéo” trên địa bàn xã."
    ),
    "purposes": (
        "Tiếp tục cụ thể hóa việc triển khai phong trào thi đua “Dân vận khéo” theo tinh thần Nghị quyết số "
        "25-NQ/TW ngày 03/6/2013 của Ban Chấp hành Trung ương (khóa XI) và Kết luận số 43-KL/TW ngày 07/01/2019 "
        "của Ban Bí thư; tập hợp, động viên các tầng lớp Nhân dân phát huy quyền làm chủ, huy động mọi nguồn lực "
        "thực hiện thắng lợi Nghị quyết Đại hội Đảng bộ xã Đồng Phú lần thứ I, nhiệm kỳ 2025 - 2030.\n"
        "Gắn phong trào “Dân vận khéo” với chuyển đổi số trong quản lý, điều hành, phục vụ Nhân dân."
    ),
    "requirements": (
        "Phong trào được triển khai sâu rộng trong cả hệ thống chính trị, trên tất cả các lĩnh vực của đời sống "
        "xã hội. Các mô hình “Dân vận khéo” phải bảo đảm “06 rõ”: rõ người, rõ việc, rõ trách nhiệm, rõ thẩm "
        "quyền, rõ thời gian, rõ kết quả."
    ),
    "period_start": date(2025, 9, 10),
    "period_end": date(2025, 12, 31),
    "fields": [KT, VH, QP, CT],
    # "Các chi, đảng bộ trực thuộc" (the party cells of the police, the military, the schools
    # and the health station included) and "MTTQ và các tổ chức chính trị - xã hội xã".
    "target_kinds": [
        Kind.PARTY_CELL,
        Kind.POLICE,
        Kind.MILITARY,
        Kind.SCHOOL,
        Kind.HEALTH_STATION,
        Kind.FATHERLAND_FRONT,
        Kind.VETERANS,
        Kind.WOMEN,
        Kind.YOUTH,
        Kind.FARMERS,
    ],
    "quotas": [
        quota(
            "Mỗi chi bộ, đảng bộ trực thuộc và mỗi tổ chức (MTTQ, các tổ chức chính trị - xã hội) đăng ký ít nhất "
            "01 mô hình",
            total=1,
        )
    ],
    "milestones": [
        milestone("registration", date(2025, 9, 27), "Gửi đăng ký mô hình về Ban Xây dựng Đảng (theo mẫu)"),
        milestone("completion", date(2025, 10, 31), "Các mô hình hoàn thành trước tháng 11/2025"),
        milestone(
            "survey",
            date(2025, 11, 30),
            "Khảo sát các mô hình, điển hình “Dân vận khéo” ở một số đơn vị",
            starts_on=date(2025, 11, 1),
        ),
        milestone(
            "result_report",
            date(2025, 11, 10),
            "Báo cáo kết quả thực hiện mô hình về Đảng ủy (qua Ban Xây dựng Đảng)",
        ),
    ],
}

# Seed 001's exception list, as organisations of the demo tree (dvk/demo.py, VINH_LONG).
VINH_LONG_EXCEPTIONS = ["VL-CONGAN", "VL-BCHQS", "VL-SOGDDT", "VL-SOYT"]

VINH_LONG_2025 = {
    "key": "vinhlong-2025",
    "history": True,
    "org": "VL",
    "created_by": "demo-vinhlong",
    "number": "553/QĐ-UBND",
    "title": (
        "Kế hoạch phát động phong trào thi đua thực hiện công tác Dân vận chính quyền và thực hiện mô hình "
        "“Dân vận khéo” năm 2025 trên địa bàn tỉnh Vĩnh Long (kèm theo Quyết định số 553/QĐ-UBND ngày "
        "02/4/2025 của Chủ tịch Ủy ban nhân dân tỉnh)"
    ),
    "issuing_body": IssuingBody.PEOPLES_COMMITTEE,
    "issuing_body_name": "Ủy ban nhân dân tỉnh Vĩnh Long",
    "signer_title": "CHỦ TỊCH",
    "issued_on": date(2025, 4, 2),
    "legal_bases": (
        "Căn cứ Chỉ thị số 33/CT-TTg ngày 26/11/2021 của Thủ tướng Chính phủ về tăng cường, đổi mới công tác dân "
        "vận trong cơ quan hành chính nhà nước, chính quyền các cấp trong tình hình mới;\n"
        "Căn cứ Quyết định số 23-QĐ/TW ngày 30/7/2021 của Bộ Chính trị ban hành Quy chế công tác dân vận của hệ "
        "thống chính trị;\n"
        "Căn cứ Hướng dẫn Liên tịch số 01/HDLT-UBND-BDVTU ngày 31/5/2023 giữa Ủy ban nhân dân tỉnh và Ban Dân "
        "vận Tỉnh ủy về tiêu chí đánh giá công tác dân vận chính quyền trong các cơ quan nhà nước trên địa bàn "
        "tỉnh Vĩnh Long."
    ),
    "purposes": (
        "Nêu cao vị trí, vai trò, tầm quan trọng và trách nhiệm của các cơ quan, đơn vị và các cấp chính quyền "
        "trong việc thực hiện công tác dân vận; tạo sự chuyển biến mạnh mẽ về nhận thức, trách nhiệm của các "
        "ngành, các cấp; đánh giá, phân loại theo Hướng dẫn Liên tịch số 01/HDLT-UBND-BDVTU."
    ),
    "requirements": (
        "Thủ trưởng các cơ quan, đơn vị và Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố phát động cho "
        "toàn thể cán bộ, công chức, viên chức, đoàn viên, hội viên đăng ký và thực hiện mô hình “Dân vận khéo”."
    ),
    "period_start": date(2025, 4, 2),
    "period_end": date(2025, 12, 31),
    "fields": [KT, VH, QP, CT],
    # The provincial agencies and the (former) districts directly under the province; not the
    # districts' offices and communes, which count toward their district's quota.
    "target_levels": [Level.UNIT, Level.LEGACY_DISTRICT],
    "target_direct_only": True,
    "quotas": [
        quota(
            "Cơ quan, đơn vị cấp tỉnh: 02 tập thể, 04 cá nhân (trừ các ngành Công an, Quân sự, Giáo dục, Y tế)",
            levels=[Level.UNIT],
            excluded=VINH_LONG_EXCEPTIONS,
            collective=2,
            individual=4,
        ),
        quota(
            "Công an tỉnh, Bộ Chỉ huy Quân sự tỉnh, Sở Giáo dục và Đào tạo, Sở Y tế và UBND các huyện, thị xã, "
            "thành phố (bao gồm phòng chuyên môn và UBND cấp xã): 05 tập thể, 10 cá nhân",
            levels=[Level.LEGACY_DISTRICT],
            organizations=VINH_LONG_EXCEPTIONS,
            counts_subtree=True,
            collective=5,
            individual=10,
        ),
    ],
    "milestones": [
        milestone("registration", date(2025, 4, 15), "Gửi bản đăng ký về Sở Nội vụ"),
        milestone(
            "award_dossier",
            date(2025, 12, 15),
            "Gửi Sở Nội vụ danh sách đề nghị khen thưởng kèm báo cáo thành tích (hồ sơ 02 bộ: tờ trình kèm danh "
            "sách, biên bản họp bình xét, báo cáo đánh giá, bản chấm điểm tiêu chí)",
        ),
    ],
}

NGHE_AN_PURPOSES = (
    "Nâng cao nhận thức, trách nhiệm của cấp ủy, chính quyền, Mặt trận Tổ quốc và các đoàn thể, lực lượng vũ "
    "trang, cán bộ, đảng viên trong lãnh đạo, chỉ đạo và tổ chức thực hiện phong trào thi đua “Dân vận khéo”.\n"
    "Phát huy sức mạnh tổng hợp của cả hệ thống chính trị và Nhân dân trong thực hiện nhiệm vụ chính trị, phát "
    "triển kinh tế - xã hội, giữ vững quốc phòng, an ninh, xây dựng hệ thống chính trị vững mạnh."
)
NGHE_AN_REQUIREMENTS = (
    "Triển khai đồng bộ trong toàn hệ thống chính trị, bảo đảm tính thực chất, hiệu quả, gắn với thực hiện Kết "
    "luận số 01-KL/TW về tiếp tục thực hiện Chỉ thị số 05-CT/TW; tập trung giải quyết các vấn đề mới, khó khăn, "
    "vướng mắc ở cơ sở. Tên mô hình ngắn gọn, dễ nhớ; mô hình bảo đảm “06 rõ”."
)
EACH_UNIT = quota(
    "Mỗi cơ quan, đơn vị, chi bộ, ngành, đoàn thể xây dựng ít nhất 01 mô hình “Dân vận khéo”",
    total=1,
)
AT_LEAST_42 = quota(
    "Toàn xã có tối thiểu 42 mô hình mới hoặc nâng cao hiệu quả mô hình cũ đang phát huy tác dụng",
    scope=QuotaScope.TOTAL,
    total=42,
)

# The guidance seed 004 implements. Its own deadlines are not in the seeds: the commune's
# are earlier (it collects, then reports up); these are illustrative.
NGHE_AN_2026 = {
    "key": "nghean-2026",
    "history": True,
    "org": "NA",
    "created_by": "demo-tinh",
    "number": "12-HD/BCĐ",
    "title": (
        "Hướng dẫn tiêu chí và quy trình xây dựng và công nhận mô hình điển hình “Dân vận khéo” trên địa bàn "
        "tỉnh Nghệ An (thực hiện năm 2026)"
    ),
    "issuing_body": IssuingBody.STEERING_COMMITTEE,
    "issuing_body_name": "Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh Nghệ An",
    "signer_title": "T/M BAN CHỈ ĐẠO, TRƯỞNG BAN",
    "issued_on": date(2025, 9, 19),
    "legal_bases": (
        "Căn cứ Nghị quyết số 25-NQ/TW ngày 03/6/2013 của Ban Chấp hành Trung ương Đảng (khóa XI) về tăng cường "
        "và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình hình mới;\n"
        "Căn cứ Kết luận số 01-KL/TW về tiếp tục thực hiện Chỉ thị số 05-CT/TW về tiếp tục “Học tập và làm theo "
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh”."
    ),
    "purposes": NGHE_AN_PURPOSES,
    "requirements": NGHE_AN_REQUIREMENTS,
    "period_start": date(2026, 1, 1),
    "period_end": date(2026, 12, 31),
    "fields": [KT, VH, QP, TG, CT],
    "target_levels": [Level.UNIT],
    "quotas": [EACH_UNIT],
    "milestones": [
        milestone("registration", date(2026, 3, 15), "Các xã, phường tổng hợp đăng ký mô hình gửi Ban Chỉ đạo tỉnh"),
        milestone("completion", date(2026, 8, 31), "Hoàn thành mô hình"),
        milestone("result_report", date(2026, 9, 30), "Báo cáo kết quả thực hiện mô hình"),
        milestone(
            "consolidated_report",
            date(2026, 10, 15),
            "Tổng kết, biểu dương nhân Ngày truyền thống công tác dân vận (15/10)",
        ),
    ],
}

DIEN_CHAU_MILESTONE_TITLES = {
    "registration": "Gửi danh sách đăng ký mô hình về Ban Xây dựng Đảng (phụ lục 01)",
    "completion": "Hoàn thành mô hình",
    "result_report": "Gửi báo cáo kết quả thực hiện mô hình (phụ lục 02)",
    "consolidated_report": "Ban Xây dựng Đảng tổng hợp, xây dựng báo cáo kết quả thực hiện phong trào",
    # Not in seed 004's plan: the appraisal board's survey window (invented, as the dates are).
    "survey": "Đoàn thẩm định khảo sát thực tế các mô hình đề nghị công nhận",
}

DIEN_CHAU_2026 = {
    "key": "dienchau-2026",
    "history": True,
    "org": "NA-DIENCHAU",
    "created_by": "demo-xa",
    "derived_from": "nghean-2026",
    # Seed 004 shows neither the plan's number nor its date: both invented.
    "number": "08-KH/ĐU",
    "title": "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” năm 2026",
    "issuing_body": IssuingBody.PARTY_COMMITTEE,
    "issuing_body_name": "Ban Thường vụ Đảng ủy xã Diễn Châu",
    "signer_name": "Đặng Thị Thanh",
    "signer_title": "T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ THƯỜNG TRỰC",
    "issued_on": date(2026, 2, 5),
    "legal_bases": (
        "Thực hiện Hướng dẫn số 12-HD/BCĐ, ngày 19/9/2025 của Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh "
        "Nghệ An về hướng dẫn tiêu chí và quy trình xây dựng và công nhận mô hình điển hình dân vận khéo trên địa "
        "bàn tỉnh Nghệ An."
    ),
    "quotas": [AT_LEAST_42],
    "milestones": [
        milestone("registration", date(2026, 3, 5), DIEN_CHAU_MILESTONE_TITLES["registration"]),
        milestone("completion", date(2026, 8, 31), DIEN_CHAU_MILESTONE_TITLES["completion"]),
        milestone("result_report", date(2026, 9, 10), DIEN_CHAU_MILESTONE_TITLES["result_report"]),
        milestone(
            "survey",
            date(2026, 10, 10),
            DIEN_CHAU_MILESTONE_TITLES["survey"],
            starts_on=date(2026, 9, 15),
        ),
        milestone("consolidated_report", date(2026, 10, 15), DIEN_CHAU_MILESTONE_TITLES["consolidated_report"]),
    ],
}


# --------------------------------------------------------------------------------------------
# Live: 2027, relative to the day the demo is built.
# --------------------------------------------------------------------------------------------


def registration_due(today):
    """Five days ahead: the 7-day reminders are due, registering is still open."""
    return today + timedelta(days=5)


def completion_due(today):
    return max(date(2027, 8, 31), registration_due(today) + timedelta(days=60))


def result_report_due(today):
    return max(date(2027, 9, 10), completion_due(today) + timedelta(days=10))


def consolidated_report_due(today):
    return max(date(2027, 10, 15), result_report_due(today) + timedelta(days=35))


def survey_starts(today):
    """The live survey window holds the demo day and the three weeks after it, so the board's
    visits of the coming days (two of them today) fall inside it. A window is not ordered
    against the deadlines (campaigns.services.validate_milestones)."""
    return today - timedelta(days=7)


def survey_ends(today):
    return today + timedelta(days=21)


def live_period_start(today):
    return min(date(2027, 1, 1), today - timedelta(days=14))


def live_period_end(today):
    return max(date(2027, 12, 31), consolidated_report_due(today))


def live_milestones(titles):
    return [
        milestone("registration", registration_due, titles["registration"]),
        milestone("completion", completion_due, titles["completion"]),
        milestone("result_report", result_report_due, titles["result_report"]),
        milestone("consolidated_report", consolidated_report_due, titles["consolidated_report"]),
    ]


# Numbers and dates of the live plans are invented (they are the demo's "this year").
NGHE_AN_2027 = {
    "key": "nghean-2027",
    "history": False,
    "org": "NA",
    "created_by": "demo-tinh",
    "number": "21-KH/BCĐ",
    "title": "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” năm 2027 trên địa bàn tỉnh Nghệ An",
    "issuing_body": IssuingBody.STEERING_COMMITTEE,
    "issuing_body_name": "Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh Nghệ An",
    "signer_title": "T/M BAN CHỈ ĐẠO, TRƯỞNG BAN",
    "issued_on": lambda today: today - timedelta(days=14),
    "legal_bases": (
        "Căn cứ Hướng dẫn số 12-HD/BCĐ ngày 19/9/2025 của Ban Chỉ đạo phong trào thi đua “Dân vận khéo” tỉnh Nghệ "
        "An về tiêu chí và quy trình xây dựng và công nhận mô hình điển hình dân vận khéo;\n"
        "Căn cứ kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026."
    ),
    "purposes": NGHE_AN_PURPOSES,
    "requirements": NGHE_AN_REQUIREMENTS,
    "period_start": live_period_start,
    "period_end": live_period_end,
    "fields": [KT, VH, QP, TG, CT],
    "target_levels": [Level.UNIT],
    "quotas": [EACH_UNIT],
    "milestones": live_milestones(
        {
            "registration": "Các xã, phường tổng hợp đăng ký mô hình gửi Ban Chỉ đạo tỉnh",
            "completion": "Hoàn thành mô hình",
            "result_report": "Báo cáo kết quả thực hiện mô hình",
            "consolidated_report": "Tổng kết, biểu dương nhân Ngày truyền thống công tác dân vận (15/10)",
        }
    ),
}

DIEN_CHAU_2027 = {
    "key": "dienchau-2027",
    "history": False,
    "org": "NA-DIENCHAU",
    "created_by": "demo-xa",
    "derived_from": "nghean-2027",
    "number": "27-KH/ĐU",
    "title": "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo” năm 2027",
    "issuing_body": IssuingBody.PARTY_COMMITTEE,
    "issuing_body_name": "Ban Thường vụ Đảng ủy xã Diễn Châu",
    "signer_name": "Đặng Thị Thanh",
    "signer_title": "T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ THƯỜNG TRỰC",
    "issued_on": lambda today: today - timedelta(days=7),
    "quotas": [AT_LEAST_42],
    "milestones": [
        *live_milestones(DIEN_CHAU_MILESTONE_TITLES),
        milestone("survey", survey_ends, DIEN_CHAU_MILESTONE_TITLES["survey"], starts_on=survey_starts),
    ],
}

# Parents before the campaigns derived from them.
CAMPAIGNS = [DONG_PHU_2025, VINH_LONG_2025, NGHE_AN_2026, DIEN_CHAU_2026, NGHE_AN_2027, DIEN_CHAU_2027]

CAMPAIGN_FIELDS = (
    "title",
    "issuing_body",
    "issuing_body_name",
    "signer_name",
    "signer_title",
    "issued_on",
    "legal_bases",
    "purposes",
    "requirements",
    "period_start",
    "period_end",
    "target_levels",
    "target_kinds",
    "target_direct_only",
)


def resolve(value, today):
    return value(today) if callable(value) else value


def demo_campaign(ctx, key):
    """The campaign of CAMPAIGNS with this key, once build_campaigns has run."""
    return ctx.data["campaigns"][key]


# --------------------------------------------------------------------------------------------
# Steps.
# --------------------------------------------------------------------------------------------


def _create_campaign(ctx, spec, found):
    org = ctx.org(spec["org"])
    user = ctx.users.get(spec["created_by"])
    data = {name: resolve(spec[name], ctx.today) for name in CAMPAIGN_FIELDS if name in spec}
    if spec.get("derived_from"):
        # Purposes, fields, quotas and milestones come from the upper plan; the spec adds or
        # adjusts its own below.
        campaign = services.campaign_derive(
            parent=found[spec["derived_from"]],
            organization=org,
            user=user,
            number=spec["number"],
            title=data.pop("title"),
            issuing_body_name=data.pop("issuing_body_name"),
            **data,
        )
    else:
        fields = list(Field.objects.filter(code__in=spec["fields"]))
        campaign = services.campaign_create(organization=org, user=user, number=spec["number"], fields=fields, **data)
    for line in spec.get("quotas", ()):
        line = dict(line)
        organizations = [ctx.org(code) for code in line.pop("organizations")]
        excluded = [ctx.org(code) for code in line.pop("excluded")]
        services.quota_save(campaign=campaign, organizations=organizations, excluded=excluded, **line)
    kinds = {kind.code: kind for kind in MilestoneKind.objects.all()}
    copied = {m.kind.code: m for m in campaign.milestones.select_related("kind")}
    for line in sorted(spec.get("milestones", ()), key=lambda m: kinds[m["kind"]].sequence or 0):
        services.milestone_save(
            campaign=campaign,
            milestone=copied.get(line["kind"]),
            kind=kinds[line["kind"]],
            title=line["title"],
            due_on=resolve(line["due_on"], ctx.today),
            starts_on=resolve(line["starts_on"], ctx.today),
        )
    campaign = services.campaign_publish(campaign=campaign)
    ctx.created["quotas"] += campaign.quotas.count()
    ctx.created["milestones"] += campaign.milestones.count()
    return campaign


def build_campaigns(ctx):
    """Creates (published) whichever demo campaign is missing; closing comes in FINISH_STEPS."""
    found = ctx.data.setdefault("campaigns", {})
    for spec in CAMPAIGNS:
        campaign = (
            Campaign.objects.select_related("organization")
            .filter(organization=ctx.org(spec["org"]), number=spec["number"])
            .first()
        )
        if campaign is None:
            campaign = _create_campaign(ctx, spec, found)
            ctx.count("campaigns", True)
        else:
            ctx.count("campaigns", False)
        found[spec["key"]] = campaign


def close_history(ctx):
    """Closes the seeds' campaigns (after their registrations exist): the snapshot freezes
    their compliance. Derived campaigns first."""
    for spec in reversed(CAMPAIGNS):
        campaign = ctx.data["campaigns"][spec["key"]]
        if spec["history"] and campaign.status == CampaignStatus.PUBLISHED:
            ctx.data["campaigns"][spec["key"]] = services.campaign_close(campaign=campaign)
            ctx.count("closed", True)
        elif spec["history"]:
            ctx.count("closed", False)


def run_reminder_sweep(ctx):
    """Runs the daily reminder sweep once, so the notification centre already shows the
    reminders of the live campaigns. The sweep is idempotent: a second run adds nothing."""
    try:
        from . import reminders

        sweep = reminders.sweep
    except (ImportError, AttributeError):
        ctx.log.append("Chưa có campaigns.reminders.sweep: chưa chạy nhắc hạn (lời nhắc sẽ có sau lần quét đầu tiên).")
        return
    campaigns = list(ctx.data.get("campaigns", {}).values())
    ours = Q(milestone__campaign__in=campaigns) | in_demo_tree()
    reminders_before = Reminder.objects.filter(ours).count()
    demo_notifications = Notification.objects.filter(user__username__in=demo_usernames())
    notifications_before = demo_notifications.count()
    # `make run` mails through the console backend: 30-odd mails would bury the command's
    # report, so they are shown only with -v 2.
    quiet = ctx.verbosity < 2 and settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
        stats = sweep(today=ctx.today) or {}
    made = Reminder.objects.filter(ours).count() - reminders_before
    ctx.created["reminders"] += made
    ctx.existing["reminders"] += reminders_before
    ctx.created["notifications"] += demo_notifications.count() - notifications_before
    ctx.existing["notifications"] += notifications_before
    messages = stats.get("messages", 0) if isinstance(stats, dict) else 0
    hidden = " (thư in ra console được ẩn; chạy seed_demo -v 2 để xem)" if quiet and messages else ""
    ctx.log.append(f"Đã quét nhắc hạn ngày {ctx.today:%d/%m/%Y}: {made} lời nhắc mới, {messages} thư{hidden}.")


def reset_campaigns(deleted):
    """Deletes the campaigns issued in the demo tree (registrations are gone already: later
    apps reset first), with their quotas, milestones, reminders and snapshots, and their
    history rows. Derived campaigns before the ones they derive from (PROTECT)."""
    ids = set(Campaign.objects.filter(in_demo_tree()).values_list("pk", flat=True))
    quota_ids = list(Quota.objects.filter(campaign_id__in=ids).values_list("pk", flat=True))
    milestone_ids = list(Milestone.objects.filter(campaign_id__in=ids).values_list("pk", flat=True))
    deleted["reminders"] += Reminder.objects.filter(Q(milestone_id__in=milestone_ids) | in_demo_tree()).delete()[0]
    remaining = set(ids)
    while remaining:
        referenced = set()
        for parent_field in ("derived_from_id", "phase_id"):
            referenced |= set(Campaign.objects.filter(pk__in=remaining).values_list(parent_field, flat=True))
        leaves = remaining - referenced
        if not leaves:
            raise RuntimeError(f"Demo campaigns refer to each other in a cycle: {sorted(remaining)}")
        Campaign.objects.filter(pk__in=leaves).delete()
        remaining -= leaves
    deleted["campaigns"] += len(ids)
    purge_history(Campaign, ids)
    purge_history(Quota, quota_ids)
    purge_history(Milestone, milestone_ids)


BUILD_STEPS = [build_campaigns]
FINISH_STEPS = [close_history]
AFTER_COMMIT_STEPS = [run_reminder_sweep]
RESET_STEPS = [reset_campaigns]
