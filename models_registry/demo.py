"""Demo initiatives and registrations for `manage.py seed_demo`, so the campaigns' dashboards,
lists and forms are not empty (found by dvk.demo through the installed apps; runs after
campaigns/demo.py).

A modest set, in the seeds' spirit: under the closed history campaigns (Diễn Châu 2026 with
~40 models across its units, some late with their reason, one returned and one rejected; a
few in Hải Châu under the province guidance; Đồng Phú 2025; Vĩnh Long 2025 with agencies
that met 2 + 4 and 5 + 10 and some that did not) and under the live Diễn Châu 2027 plan
(~20, many continuing a 2026 model via `continues` with higher targets; one returned, one
rejected, drafts). Between the two Diễn Châu plans every state of a registration appears,
collective and individual.

Every registration has its form filled (location, dates, phone, the "06 rõ", the person for
an individual; the model plan for Diễn Châu's) and its targets. Accepted ones that ran have
their reports, made through `reports.report_create` (a progress report at mid-term, in
Diễn Châu and for those still running; the result report, which completes them), and a few
of Diễn Châu's completed ones carry evidence files (a generated photo, a small PDF) stored
through `evidence.attach_evidence`.

Many Diễn Châu units have nothing counted yet in 2027, among them demo-chibo's Chi bộ Xóm 5,
which has only a half-filled draft (what autosave keeps): they are behind, and the reminder
sweep that seed_demo runs at the end reminds them. Live registrations are dated relative to
the build day (submitted before the registration deadline, five days ahead).

An initiative is looked up by (organisation, name), a registration by (initiative, campaign);
a registration's targets, reports and files are made with it: a second run creates nothing.
Registrations of a closed campaign are never added afterwards (its snapshot is history). A
database seeded before targets and reports existed gets them with `seed_demo --reset`.
"""

import datetime
import io
import zlib
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from campaigns.demo import demo_campaign
from campaigns.enums import CampaignStatus, RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field
from dvk.demo import in_demo_tree, purge_history
from dvk.enums import Kind
from dvk.text import clean_text

from .enums import ReportKind
from .evidence import attach_evidence
from .models import Evidence, Initiative, ProgressReport, Registration, RegistrationTarget, ReportEntry
from .reports import report_create

LABELS = {
    "initiatives": "Mô hình",
    "registrations": "Đăng ký mô hình",
    "targets": "Kết quả cần đạt",
    "reports": "Báo cáo",
    "evidence": "Minh chứng",
}

C, I = SubjectType.COLLECTIVE, SubjectType.INDIVIDUAL  # noqa: E741
DRAFT, SUBMITTED, RETURNED = RegistrationStatus.DRAFT, RegistrationStatus.SUBMITTED, RegistrationStatus.RETURNED
ACCEPTED, IN_PROGRESS = RegistrationStatus.ACCEPTED, RegistrationStatus.IN_PROGRESS
COMPLETED, WITHDRAWN, REJECTED = RegistrationStatus.COMPLETED, RegistrationStatus.WITHDRAWN, RegistrationStatus.REJECTED
KT, VH, QP, TG, CT = (
    "kinh-te",
    "van-hoa-xa-hoi",
    "quoc-phong-an-ninh",
    "ton-giao-dan-toc",
    "xay-dung-he-thong-chinh-tri",
)


def reg(
    org,
    subject,
    field,
    status,
    name,
    *,
    late=False,
    continues=None,
    by=None,
    person=None,
    late_reason="",
    comment="",
    evidence=(),
    half=False,
):
    """One registration.

    `continues`: key of the campaign whose registration of the same initiative this one
    continues (its targets are raised). `by`: username of who entered it (default: the
    campaign's staff account). `person`: (full name, position) of an individual. `comment`:
    the reviewer's (returned, rejected). `evidence`: EVIDENCE keys attached to the result
    report. `half`: a draft typed half-way (what autosave keeps)."""
    return {
        "org": org,
        "subject": subject,
        "field": field,
        "status": status,
        "name": name,
        "late": late,
        "continues": continues,
        "by": by,
        "person": person,
        "late_reason": late_reason,
        "comment": comment,
        "evidence": list(evidence),
        "half": half,
    }


def dc(suffix):
    return f"NA-DIENCHAU-{suffix}"


def hc(suffix):
    return f"NA-HAICHAU-{suffix}"


def dp(suffix):
    return f"DNAI-DONGPHU-{suffix}"


DIEN_CHAU_2026 = [
    reg(dc("DU"), C, KT, COMPLETED, "Đảng ủy đồng hành cùng doanh nghiệp, hộ kinh doanh"),
    reg(dc("UBND"), C, CT, COMPLETED, "Chính quyền thân thiện, vì Nhân dân phục vụ", evidence=["report-pdf"]),
    reg(
        dc("UBND"),
        I,
        CT,
        COMPLETED,
        "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến tại nhà",
        person=("Phan Thị Thu Trang", "Công chức Văn phòng - Thống kê"),
    ),
    reg(
        dc("MTTQ"),
        C,
        VH,
        COMPLETED,
        "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa",
        evidence=["gift-photo", "minutes-pdf"],
    ),
    reg(dc("CCB"), C, KT, COMPLETED, "Cựu chiến binh giúp nhau phát triển kinh tế, giảm nghèo bền vững"),
    reg(dc("LHPN"), C, VH, COMPLETED, "Phụ nữ chung tay bảo vệ môi trường, phân loại rác thải tại nguồn"),
    reg(
        dc("LHPN"),
        I,
        VH,
        IN_PROGRESS,
        "Một giúp một: hội viên khá giúp hội viên khó khăn",
        person=("Nguyễn Thị Hoa", "Phó Chủ tịch Hội Liên hiệp Phụ nữ xã"),
    ),
    reg(
        dc("DTN"),
        C,
        VH,
        COMPLETED,
        "Dân vận khéo trong chuyển đổi số: Tổ công nghệ số cộng đồng",
        evidence=["vneid-photo"],
    ),
    reg(dc("HND"), C, KT, IN_PROGRESS, "Liên kết sản xuất và tiêu thụ rau an toàn"),
    reg(dc("NCT"), C, VH, ACCEPTED, "Câu lạc bộ liên thế hệ tự giúp nhau"),
    reg(dc("CTD"), C, VH, COMPLETED, "Tủ bánh mì 0 đồng cho học sinh nghèo"),
    reg(dc("CB-CONGAN"), C, QP, COMPLETED, "Camera an ninh: mắt thần khu dân cư"),
    reg(
        dc("CB-CONGAN"),
        I,
        QP,
        COMPLETED,
        "Công an xã gần dân, hiểu dân, giúp dân",
        person=("Hồ Văn Nam", "Phó Trưởng Công an xã"),
    ),
    reg(dc("CB-QUANSU"), C, QP, ACCEPTED, "Dân quân giúp dân mùa vụ"),
    reg(dc("CB-UBND"), C, CT, COMPLETED, "Một cửa “3 không”: không hẹn lần hai, không phiền hà, không tiêu cực"),
    reg(dc("CB-DANGUY"), C, CT, IN_PROGRESS, "Sổ tay đảng viên điện tử"),
    reg(dc("CB-MN1"), C, VH, COMPLETED, "Xây dựng trường học hạnh phúc"),
    reg(dc("CB-TH1"), C, VH, ACCEPTED, "Góc sách nhỏ nuôi dưỡng văn hóa đọc"),
    reg(dc("CB-THCS"), C, VH, COMPLETED, "Tiếp sức học sinh khó khăn đến trường"),
    reg(
        dc("CB-TYT"),
        C,
        VH,
        SUBMITTED,
        "Vận động người dân tham gia bảo hiểm y tế",
        late=True,
        late_reason="Chi bộ kiện toàn bí thư mới sau khi sắp xếp trạm y tế nên gửi đăng ký chậm; đã báo cáo Đảng ủy.",
    ),
    reg(dc("CB-XOM01"), C, VH, COMPLETED, "Tuyến đường sáng - xanh - sạch - đẹp"),
    reg(dc("CB-XOM02"), C, KT, COMPLETED, "Hiến đất mở rộng đường giao thông nông thôn"),
    reg(dc("CB-XOM03"), C, QP, COMPLETED, "Khu dân cư không có tội phạm và tệ nạn xã hội"),
    reg(
        dc("CB-XOM03"),
        I,
        KT,
        IN_PROGRESS,
        "Đảng viên gương mẫu giúp hộ cận nghèo thoát nghèo",
        person=("Cao Văn Lợi", "Đảng viên Chi bộ Xóm 3, Tổ trưởng tổ tự quản"),
    ),
    reg(dc("CB-XOM04"), C, VH, COMPLETED, "Thắp sáng đường quê"),
    reg(
        dc("CB-XOM05"),
        C,
        VH,
        COMPLETED,
        "Tuyến đường sáng - xanh - sạch - đẹp",
        by="demo-chibo",
        evidence=["road-photo"],
    ),
    reg(dc("CB-XOM06"), C, VH, ACCEPTED, "Việc cưới, việc tang văn minh, tiết kiệm"),
    reg(dc("CB-XOM07"), C, CT, COMPLETED, "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm"),
    reg(dc("CB-XOM08"), C, KT, IN_PROGRESS, "Chuyển đổi cơ cấu cây trồng trên đất màu"),
    reg(dc("CB-XOM09"), C, VH, SUBMITTED, "Ngày Chủ nhật xanh"),
    reg(dc("CB-XOM10"), C, VH, COMPLETED, "Quỹ khuyến học dòng họ"),
    reg(dc("CB-XOM11"), C, QP, ACCEPTED, "Tổ liên gia tự quản an ninh trật tự"),
    reg(
        dc("CB-XOM12"),
        I,
        TG,
        COMPLETED,
        "Người có uy tín vận động đồng bào có đạo sống tốt đời, đẹp đạo",
        person=("Trần Văn Phúc", "Người có uy tín trong đồng bào Công giáo xóm 12"),
    ),
    reg(
        dc("CB-XOM14"),
        C,
        VH,
        SUBMITTED,
        "Nhà văn hóa xóm, điểm sinh hoạt cộng đồng văn minh",
        late=True,
        late_reason="Xóm chờ hoàn thành sửa chữa nhà văn hóa để thống nhất địa điểm, thời gian thực hiện mô hình.",
    ),
    reg(dc("CB-XOM15"), C, KT, COMPLETED, "Vườn mẫu, khu dân cư kiểu mẫu"),
    reg(dc("XOM01"), C, VH, COMPLETED, "Đoàn kết xây dựng khu dân cư kiểu mẫu"),
    reg(dc("CB-XOM16"), C, VH, WITHDRAWN, "Thu gom rác thải nhựa đổi quà"),
    reg(
        dc("CB-XOM17"),
        C,
        KT,
        REJECTED,
        "Phát triển kinh tế hộ gia đình",
        comment=(
            "Tên và nội dung mô hình chung chung, trùng với nhiệm vụ thường xuyên của chi bộ, chưa thể hiện cách "
            "làm dân vận; đề nghị chi bộ chọn một việc cụ thể, đăng ký vào năm sau."
        ),
    ),
    reg(
        dc("CB-XOM18"),
        C,
        VH,
        RETURNED,
        "Xóm không rác thải nhựa",
        comment=(
            "Đề nghị bổ sung kết quả đo đếm được (số hộ tham gia, khối lượng rác thu gom mỗi tháng) và phân công cụ "
            "thể cho từng chi hội, rồi gửi lại."
        ),
    ),
]

# Units under the province guidance directly (Hải Châu has no plan of its own).
HAI_CHAU_2026 = [
    reg(hc("MTTQ"), C, VH, COMPLETED, "Bữa cơm nghĩa tình"),
    reg(hc("LHPN"), C, KT, COMPLETED, "Phụ nữ giữ nghề làm nước mắm truyền thống"),
    reg(hc("CB-CONGAN"), C, QP, ACCEPTED, "Tổ tự quản an ninh trật tự vùng bãi ngang"),
    reg(hc("CB-XOM01"), C, VH, COMPLETED, "Tuyến đường sáng - xanh - sạch - đẹp"),
    reg(hc("UBND"), C, CT, COMPLETED, "Chính quyền thân thiện, vì Nhân dân phục vụ"),
]

DIEN_CHAU_2027 = [
    reg(dc("DU"), C, KT, SUBMITTED, "Đảng ủy đồng hành cùng doanh nghiệp, hộ kinh doanh", continues="dienchau-2026"),
    reg(dc("UBND"), C, CT, ACCEPTED, "Chính quyền thân thiện, vì Nhân dân phục vụ", continues="dienchau-2026"),
    reg(dc("MTTQ"), C, VH, SUBMITTED, "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa", continues="dienchau-2026"),
    reg(
        dc("CCB"),
        C,
        KT,
        SUBMITTED,
        "Cựu chiến binh giúp nhau phát triển kinh tế, giảm nghèo bền vững",
        continues="dienchau-2026",
    ),
    reg(
        dc("LHPN"),
        I,
        VH,
        SUBMITTED,
        "Một giúp một: hội viên khá giúp hội viên khó khăn",
        continues="dienchau-2026",
        person=("Nguyễn Thị Hoa", "Phó Chủ tịch Hội Liên hiệp Phụ nữ xã"),
    ),
    reg(
        dc("DTN"),
        C,
        VH,
        SUBMITTED,
        "Dân vận khéo trong chuyển đổi số: Tổ công nghệ số cộng đồng",
        continues="dienchau-2026",
    ),
    reg(
        dc("DTN"),
        I,
        VH,
        SUBMITTED,
        "Thanh niên hướng dẫn người cao tuổi dùng VNeID, thanh toán không tiền mặt",
        person=("Võ Thị Ngọc Ánh", "Phó Bí thư Đoàn xã"),
    ),
    reg(dc("HND"), C, KT, DRAFT, "Hợp tác xã liên kết trồng dưa lưới công nghệ cao"),
    reg(dc("CB-CONGAN"), C, QP, ACCEPTED, "Camera an ninh: mắt thần khu dân cư", continues="dienchau-2026"),
    reg(dc("CB-MN2"), C, VH, SUBMITTED, "Bữa ăn học đường an toàn, đủ chất"),
    reg(
        dc("CB-THCS"),
        I,
        VH,
        DRAFT,
        "Thầy cô đồng hành cùng học sinh vượt khó",
        person=("Lê Thị Minh Thư", "Giáo viên chủ nhiệm, Bí thư Chi đoàn giáo viên"),
    ),
    reg(dc("CB-TYT"), C, VH, SUBMITTED, "Trạm Y tế thân thiện: khám sàng lọc tại nhà cho người cao tuổi"),
    reg(dc("CB-XOM01"), C, VH, SUBMITTED, "Tuyến đường sáng - xanh - sạch - đẹp", continues="dienchau-2026"),
    reg(dc("CB-XOM02"), C, KT, SUBMITTED, "Điện mặt trời chiếu sáng ngõ xóm"),
    reg(dc("CB-XOM03"), C, QP, ACCEPTED, "Khu dân cư không có tội phạm và tệ nạn xã hội", continues="dienchau-2026"),
    reg(
        dc("CB-XOM04"),
        C,
        VH,
        RETURNED,
        "Thắp sáng đường quê",
        continues="dienchau-2026",
        comment=(
            "Mô hình duy trì cần nêu rõ phần việc mới so với năm 2026 (tuyến đường nào, bao nhiêu hộ đóng góp) và "
            "phân công đảng viên phụ trách từng tuyến; đề nghị bổ sung rồi gửi lại trước hạn."
        ),
    ),
    # demo-chibo's own: typed half-way, never submitted, so Xóm 5 is still behind its quota.
    reg(
        dc("CB-XOM05"),
        C,
        VH,
        DRAFT,
        "Tuyến đường sáng - xanh - sạch - đẹp",
        continues="dienchau-2026",
        by="demo-chibo",
        half=True,
    ),
    reg(dc("CB-XOM07"), C, CT, ACCEPTED, "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm", continues="dienchau-2026"),
    reg(
        dc("CB-XOM10"),
        C,
        VH,
        REJECTED,
        "Vận động Nhân dân tham gia các phong trào thi đua",
        comment=(
            "Nội dung là nhiệm vụ thường xuyên của chi bộ, chưa phải một mô hình cụ thể theo tiêu chí “Dân vận khéo”; "
            "đề nghị chi bộ tiếp tục duy trì mô hình “Quỹ khuyến học dòng họ” với mục tiêu cao hơn."
        ),
    ),
]

HAI_CHAU_2027 = [
    reg(hc("MTTQ"), C, VH, SUBMITTED, "Bữa cơm nghĩa tình", continues="nghean-2026"),
    reg(hc("CB-XOM01"), C, VH, SUBMITTED, "Tuyến đường sáng - xanh - sạch - đẹp", continues="nghean-2026"),
    reg(hc("DTN"), C, VH, DRAFT, "Thanh niên tình nguyện hướng dẫn dịch vụ công trực tuyến"),
]

DONG_PHU_2025 = [
    reg(dp("MTTQ"), C, VH, COMPLETED, "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa"),
    reg(dp("CCB"), C, VH, COMPLETED, "Cựu chiến binh tự quản bảo vệ môi trường"),
    reg(dp("LHPN"), C, VH, COMPLETED, "Phụ nữ chung tay bảo vệ môi trường"),
    reg(dp("DTN"), C, VH, COMPLETED, "Thanh niên tình nguyện trong hoạt động an sinh xã hội"),
    reg(dp("HND"), C, KT, COMPLETED, "Liên kết trồng điều hữu cơ"),
    reg(dp("CB-CONGAN"), C, QP, COMPLETED, "Hòm thư tố giác tội phạm và camera an ninh"),
    reg(dp("CB-QUANSU"), C, QP, COMPLETED, "Dân quân giúp dân trong mùa mưa bão"),
    reg(dp("CB-UBND"), C, CT, COMPLETED, "Chuyển đổi số trong giải quyết thủ tục hành chính"),
    reg(dp("CB-KPTANAN"), C, VH, COMPLETED, "Khu phố văn hóa, khu dân cư tự quản"),
    reg(dp("CB-KPTANXUAN"), C, QP, IN_PROGRESS, "Tổ liên gia tự quản"),
    reg(dp("CB-APTHUANPHU1"), I, KT, COMPLETED, "Đảng viên giúp đồng bào dân tộc thiểu số phát triển kinh tế"),
    reg(dp("CB-TYT"), C, VH, ACCEPTED, "Vận động người dân tham gia bảo hiểm y tế", late=True),
]

VINH_LONG_2025 = [
    # Sở Nội vụ: 2 + 4, met.
    reg("VL-SONV", C, CT, COMPLETED, "Một cửa liên thông hiện đại phục vụ người dân và doanh nghiệp"),
    reg("VL-SONV", C, CT, COMPLETED, "Dân vận chính quyền trong sắp xếp tổ chức bộ máy"),
    reg("VL-SONV", I, CT, COMPLETED, "Nghe dân nói, nói dân hiểu, làm dân tin"),
    reg("VL-SONV", I, CT, COMPLETED, "Giải quyết hồ sơ thi đua, khen thưởng đúng hẹn, không phiền hà"),
    reg("VL-SONV", I, CT, COMPLETED, "Cán bộ “4 xin, 4 luôn” khi tiếp công dân"),
    reg("VL-SONV", I, VH, COMPLETED, "Tận tâm hướng dẫn chế độ cho người có công"),
    # Công an tỉnh: 5 + 10, met.
    reg("VL-CONGAN", C, QP, COMPLETED, "Công an tỉnh gần dân, hiểu dân, giúp dân"),
    reg("VL-CONGAN", C, QP, COMPLETED, "Tổ liên gia an toàn phòng cháy, chữa cháy"),
    reg("VL-CONGAN", C, QP, COMPLETED, "Camera an ninh kết nối khu dân cư"),
    reg("VL-CONGAN", C, CT, COMPLETED, "Đồng hành cùng người dân làm căn cước và định danh điện tử"),
    reg("VL-CONGAN", C, QP, COMPLETED, "Xóa điểm nóng ma túy ở cơ sở"),
    reg("VL-CONGAN", I, QP, COMPLETED, "Cảnh sát khu vực gần dân"),
    reg("VL-CONGAN", I, CT, COMPLETED, "Hướng dẫn người dân kích hoạt tài khoản VNeID"),
    reg("VL-CONGAN", I, QP, COMPLETED, "Tuyên truyền phòng, chống lừa đảo qua mạng"),
    reg("VL-CONGAN", I, VH, COMPLETED, "Chung tay sửa nhà cho hộ nghèo"),
    reg("VL-CONGAN", I, QP, COMPLETED, "Vận động giao nộp vũ khí, vật liệu nổ"),
    reg("VL-CONGAN", I, CT, COMPLETED, "Hòa giải mâu thuẫn ở cơ sở"),
    reg("VL-CONGAN", I, VH, COMPLETED, "Tiếp sức học sinh nghèo đến trường"),
    reg("VL-CONGAN", I, QP, COMPLETED, "An toàn giao thông cho học sinh"),
    reg("VL-CONGAN", I, QP, COMPLETED, "Giúp người lầm lỡ tái hòa nhập cộng đồng"),
    reg("VL-CONGAN", I, QP, COMPLETED, "Tổ tự quản phòng, chống tội phạm"),
    # Huyện Long Hồ (cũ): 5 + 10 counted over its offices and communes, met.
    reg("VL-LONGHO-PNV", C, CT, COMPLETED, "Dân vận chính quyền trong sắp xếp đơn vị hành chính"),
    reg("VL-LONGHO-PGDDT", C, VH, COMPLETED, "Trường học thân thiện, học sinh tích cực"),
    reg("VL-LONGHO-PVHTT", C, VH, COMPLETED, "Xây dựng gia đình văn hóa"),
    reg("VL-LONGHO-LONGHO", C, VH, COMPLETED, "Tuyến đường hoa nông thôn mới"),
    reg("VL-LONGHO-PHUQUOI", C, KT, COMPLETED, "Hiến đất làm đường giao thông nông thôn"),
    reg("VL-LONGHO-PNV", I, CT, COMPLETED, "Giải quyết thủ tục hành chính không hẹn lần hai"),
    reg("VL-LONGHO-PNV", I, CT, COMPLETED, "Trọng dân, gần dân, hiểu dân, học dân"),
    reg("VL-LONGHO-PGDDT", I, VH, COMPLETED, "Thầy cô đỡ đầu học sinh khó khăn"),
    reg("VL-LONGHO-PGDDT", I, VH, COMPLETED, "Tủ sách lớp học"),
    reg("VL-LONGHO-PGDDT", I, VH, COMPLETED, "Mỗi tuần một việc tốt"),
    reg("VL-LONGHO-PVHTT", I, VH, COMPLETED, "Câu lạc bộ đờn ca tài tử ấp"),
    reg("VL-LONGHO-LONGHO", I, KT, COMPLETED, "Hướng dẫn nông dân trồng cây ăn trái đạt chuẩn VietGAP"),
    reg("VL-LONGHO-LONGHO", I, VH, COMPLETED, "Vận động người dân tham gia bảo hiểm y tế"),
    reg("VL-LONGHO-PHUQUOI", I, QP, COMPLETED, "Ấp không có tội phạm"),
    reg("VL-LONGHO-TANHANH", I, VH, COMPLETED, "Bếp ăn tình thương"),
    # Sở Y tế and Huyện Mang Thít (cũ): short of 5 + 10.
    reg("VL-SOYT", C, VH, COMPLETED, "Y tế cơ sở thân thiện"),
    reg("VL-SOYT", C, VH, COMPLETED, "Bệnh viện xanh - sạch - đẹp"),
    reg("VL-SOYT", I, VH, COMPLETED, "Lương y như từ mẫu"),
    reg("VL-MANGTHIT-PNV", C, CT, COMPLETED, "Một cửa thân thiện"),
    reg("VL-MANGTHIT-CAINHUM", C, KT, COMPLETED, "Làng nghề gạch gốm gắn với du lịch"),
    reg("VL-MANGTHIT-NHONPHU", I, VH, COMPLETED, "Vận động hiến đất làm đường"),
]

REGISTRATIONS = [
    ("dongphu-2025", "demo-xa-khac", DONG_PHU_2025),
    ("vinhlong-2025", "demo-vinhlong", VINH_LONG_2025),
    ("nghean-2026", "demo-xa-ben", HAI_CHAU_2026),
    ("dienchau-2026", "demo-xa", DIEN_CHAU_2026),
    ("nghean-2027", "demo-xa-ben", HAI_CHAU_2027),
    ("dienchau-2027", "demo-xa", DIEN_CHAU_2027),
]
# Campaigns shown in full: the model plan as well as the form (seed 004's template), and a
# mid-term progress report before the result. Elsewhere a completed model has its result
# report only (seed_demo stays quick).
IN_FULL = {"dienchau-2026", "dienchau-2027"}

# --------------------------------------------------------------------------------------------
# What each model promises ("rõ kết quả"): (indicator, figure, unit). A model continued the
# next year promises more (`raised`); one not listed here gets its field's usual indicator.
# --------------------------------------------------------------------------------------------

TARGETS = {
    "Đảng ủy đồng hành cùng doanh nghiệp, hộ kinh doanh": [
        ("Số buổi đối thoại với doanh nghiệp, hộ kinh doanh", 4, "buổi"),
        ("Số kiến nghị được giải quyết", 20, "kiến nghị"),
    ],
    "Chính quyền thân thiện, vì Nhân dân phục vụ": [
        ("Tỉ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn", 97, "%"),
        ("Tỉ lệ người dân hài lòng", 92, "%"),
    ],
    "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến tại nhà": [("Số người dân được hướng dẫn", 300, "người")],
    "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa": [
        ("Số tiền quyên góp", 30_000_000, "đồng"),
        ("Số hộ khó khăn được hỗ trợ", 10, "hộ"),
    ],
    "Cựu chiến binh giúp nhau phát triển kinh tế, giảm nghèo bền vững": [
        ("Số hộ hội viên thoát nghèo", 5, "hộ"),
        ("Vốn giúp nhau không lấy lãi", 100_000_000, "đồng"),
    ],
    "Phụ nữ chung tay bảo vệ môi trường, phân loại rác thải tại nguồn": [("Số hộ phân loại rác tại nguồn", 400, "hộ")],
    "Một giúp một: hội viên khá giúp hội viên khó khăn": [
        ("Số hội viên khó khăn được giúp đỡ", 2, "hội viên"),
        ("Số ngày công hỗ trợ", 30, "ngày công"),
    ],
    "Dân vận khéo trong chuyển đổi số: Tổ công nghệ số cộng đồng": [
        ("Số người dân được hướng dẫn cài đặt VNeID", 500, "người"),
        ("Số hộ thanh toán không dùng tiền mặt", 200, "hộ"),
    ],
    "Liên kết sản xuất và tiêu thụ rau an toàn": [
        ("Diện tích rau an toàn", 10, "ha"),
        ("Số hộ tham gia liên kết", 40, "hộ"),
    ],
    "Câu lạc bộ liên thế hệ tự giúp nhau": [("Số thành viên câu lạc bộ", 60, "người")],
    "Tủ bánh mì 0 đồng cho học sinh nghèo": [("Số suất bánh mì trao tặng", 6000, "suất")],
    "Camera an ninh: mắt thần khu dân cư": [
        ("Số camera lắp đặt", 40, "camera"),
        ("Số vụ việc phát hiện, xử lý nhờ camera", 10, "vụ"),
    ],
    "Công an xã gần dân, hiểu dân, giúp dân": [("Số hồ sơ căn cước hướng dẫn tại nhà", 150, "hồ sơ")],
    "Dân quân giúp dân mùa vụ": [("Số ngày công giúp dân", 300, "ngày công")],
    "Một cửa “3 không”: không hẹn lần hai, không phiền hà, không tiêu cực": [("Tỉ lệ hồ sơ trả đúng hẹn", 98, "%")],
    "Sổ tay đảng viên điện tử": [("Tỉ lệ đảng viên sử dụng sổ tay điện tử", 90, "%")],
    "Xây dựng trường học hạnh phúc": [("Số hoạt động trải nghiệm cho học sinh", 12, "hoạt động")],
    "Góc sách nhỏ nuôi dưỡng văn hóa đọc": [("Số đầu sách vận động được", 1500, "cuốn")],
    "Tiếp sức học sinh khó khăn đến trường": [("Số học sinh được hỗ trợ", 30, "học sinh")],
    "Vận động người dân tham gia bảo hiểm y tế": [("Tỉ lệ người dân tham gia bảo hiểm y tế", 93, "%")],
    "Tuyến đường sáng - xanh - sạch - đẹp": [
        ("Chiều dài tuyến đường được chiếu sáng", 2, "km"),
        ("Số cây xanh trồng mới", 300, "cây"),
    ],
    "Hiến đất mở rộng đường giao thông nông thôn": [
        ("Diện tích đất hiến", 1200, "m²"),
        ("Số hộ hiến đất", 25, "hộ"),
    ],
    "Khu dân cư không có tội phạm và tệ nạn xã hội": [("Số buổi tuần tra của tổ tự quản", 48, "buổi")],
    "Đảng viên gương mẫu giúp hộ cận nghèo thoát nghèo": [("Số hộ cận nghèo được giúp thoát nghèo", 2, "hộ")],
    "Thắp sáng đường quê": [("Số bóng đèn lắp mới", 120, "bóng")],
    "Việc cưới, việc tang văn minh, tiết kiệm": [("Tỉ lệ đám cưới, đám tang thực hiện nếp sống văn minh", 95, "%")],
    "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm": [("Tỉ lệ vụ việc hòa giải thành", 90, "%")],
    "Chuyển đổi cơ cấu cây trồng trên đất màu": [("Diện tích chuyển đổi", 8, "ha")],
    "Ngày Chủ nhật xanh": [("Số buổi ra quân vệ sinh môi trường", 24, "buổi")],
    "Quỹ khuyến học dòng họ": [("Số tiền quỹ khuyến học", 50_000_000, "đồng")],
    "Tổ liên gia tự quản an ninh trật tự": [("Số tổ liên gia thành lập", 10, "tổ")],
    "Người có uy tín vận động đồng bào có đạo sống tốt đời, đẹp đạo": [
        ("Số hộ đồng bào có đạo đạt gia đình văn hóa", 60, "hộ")
    ],
    "Nhà văn hóa xóm, điểm sinh hoạt cộng đồng văn minh": [("Số buổi sinh hoạt cộng đồng", 24, "buổi")],
    "Vườn mẫu, khu dân cư kiểu mẫu": [("Số vườn mẫu đạt chuẩn", 15, "vườn")],
    "Đoàn kết xây dựng khu dân cư kiểu mẫu": [("Số hộ đạt tiêu chí khu dân cư kiểu mẫu", 120, "hộ")],
    "Thu gom rác thải nhựa đổi quà": [("Khối lượng rác thải nhựa thu gom", 2000, "kg")],
    "Xóm không rác thải nhựa": [("Số hộ không dùng túi ni lông khi đi chợ", 80, "hộ")],
    "Thanh niên hướng dẫn người cao tuổi dùng VNeID, thanh toán không tiền mặt": [
        ("Số người cao tuổi được hướng dẫn", 200, "người")
    ],
    "Hợp tác xã liên kết trồng dưa lưới công nghệ cao": [("Diện tích nhà màng", 2, "ha")],
    "Bữa ăn học đường an toàn, đủ chất": [("Số trẻ ăn bán trú an toàn", 350, "trẻ")],
    "Thầy cô đồng hành cùng học sinh vượt khó": [("Số học sinh được đỡ đầu", 20, "học sinh")],
    "Trạm Y tế thân thiện: khám sàng lọc tại nhà cho người cao tuổi": [
        ("Số người cao tuổi được khám sàng lọc tại nhà", 600, "người")
    ],
    "Điện mặt trời chiếu sáng ngõ xóm": [("Số đèn năng lượng mặt trời lắp đặt", 80, "đèn")],
}
FIELD_TARGETS = {
    KT: [("Số hộ tham gia mô hình", 30, "hộ")],
    VH: [("Số hộ dân được tuyên truyền, vận động", 150, "hộ")],
    QP: [("Số buổi tuần tra, tuyên truyền", 24, "buổi")],
    TG: [("Số hộ đồng bào có đạo tham gia", 40, "hộ")],
    CT: [("Tỉ lệ hồ sơ giải quyết đúng hạn", 95, "%")],
}


def raised(value, unit):
    """Next year's figure for a continued model: a fifth more (a percentage: two points, at most 100)."""
    if unit == "%":
        return min(value + 2, Decimal(100))
    return (value * Decimal("1.2")).quantize(Decimal(1), rounding=ROUND_CEILING)


# --------------------------------------------------------------------------------------------
# The form: who leads a unit of each kind, who takes part, where.
# --------------------------------------------------------------------------------------------

PLACES = {
    "NA-DIENCHAU": "xã Diễn Châu, tỉnh Nghệ An",
    "NA-HAICHAU": "xã Hải Châu, tỉnh Nghệ An",
    "DNAI-DONGPHU": "xã Đồng Phú, tỉnh Đồng Nai",
    "VL": "tỉnh Vĩnh Long",
}
LEADERS = {
    Kind.PARTY_CELL: "Bí thư chi bộ",
    Kind.PARTY_COMMITTEE: "Phó Bí thư Thường trực Đảng ủy",
    Kind.PEOPLES_COMMITTEE: "Chủ tịch Ủy ban nhân dân",
    Kind.FATHERLAND_FRONT: "Chủ tịch Ủy ban Mặt trận Tổ quốc",
    Kind.VETERANS: "Chủ tịch Hội Cựu chiến binh",
    Kind.WOMEN: "Chủ tịch Hội Liên hiệp Phụ nữ",
    Kind.YOUTH: "Bí thư Đoàn Thanh niên",
    Kind.FARMERS: "Chủ tịch Hội Nông dân",
    Kind.COMMUNITY: "Chủ tịch Hội",
    Kind.POLICE: "Trưởng Công an",
    Kind.MILITARY: "Chỉ huy trưởng Ban Chỉ huy Quân sự",
    Kind.SCHOOL: "Hiệu trưởng",
    Kind.HEALTH_STATION: "Trạm trưởng Trạm Y tế",
    Kind.AGENCY: "Thủ trưởng cơ quan",
    Kind.VILLAGE: "Trưởng Ban công tác Mặt trận",
    Kind.ADMINISTRATIVE: "Chủ tịch Ủy ban nhân dân",
}
PARTICIPANTS = {
    Kind.PARTY_CELL: "Đảng viên trong chi bộ, các chi hội đoàn thể và Nhân dân trên địa bàn",
    Kind.PARTY_COMMITTEE: "Ban Thường vụ, các ban xây dựng Đảng và các chi bộ trực thuộc",
    Kind.PEOPLES_COMMITTEE: "Cán bộ, công chức Ủy ban nhân dân; Tổ công nghệ số cộng đồng",
    Kind.FATHERLAND_FRONT: "Ban công tác Mặt trận các xóm, các tổ chức thành viên",
    Kind.VETERANS: "Hội viên cựu chiến binh các chi hội",
    Kind.WOMEN: "Cán bộ, hội viên phụ nữ các chi hội",
    Kind.YOUTH: "Đoàn viên, thanh niên các chi đoàn",
    Kind.FARMERS: "Hội viên nông dân, các tổ hợp tác",
    Kind.COMMUNITY: "Hội viên các chi hội",
    Kind.POLICE: "Cán bộ, chiến sĩ Công an; lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở",
    Kind.MILITARY: "Cán bộ, chiến sĩ dân quân",
    Kind.SCHOOL: "Cán bộ, giáo viên, nhân viên nhà trường; Ban đại diện cha mẹ học sinh",
    Kind.HEALTH_STATION: "Cán bộ, nhân viên y tế; cộng tác viên dân số - y tế các xóm",
    Kind.AGENCY: "Cán bộ, công chức, viên chức và người lao động của cơ quan",
    Kind.VILLAGE: "Ban công tác Mặt trận và các hộ gia đình trong khu dân cư",
    Kind.ADMINISTRATIVE: "Cán bộ, công chức và Nhân dân trên địa bàn",
}
# Invented people: leaders of units and the individuals who register.
PEOPLE = [
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Đức",
    "Đặng Thị Giang",
    "Bùi Văn Hải",
    "Võ Thị Hạnh",
    "Hồ Văn Khánh",
    "Ngô Thị Lan",
    "Dương Văn Long",
    "Đinh Thị Mai",
    "Cao Văn Minh",
    "Phan Thị Nga",
    "Trương Văn Phong",
    "Lý Thị Quyên",
    "Đỗ Văn Sơn",
    "Mai Thị Tâm",
    "Vũ Văn Thắng",
    "Hà Thị Uyên",
    "Nguyễn Đình Vinh",
    "Trần Văn Xuân",
    "Lê Thị Yến",
    "Thái Thị Hương",
]


def _pick(*keys):
    """A stable number from text (the same on every run, unlike hash())."""
    return zlib.crc32("|".join(keys).encode())


def _phone(*keys):
    n = _pick("phone", *keys)
    return f"09{n % 100:02d} {n // 100 % 1000:03d} {n // 100000 % 1000:03d}"


def _where(org):
    return next(text for prefix, text in PLACES.items() if org.code.startswith(prefix))


def _place(org):
    """Where a unit's model runs: its hamlet for a hamlet's party cell or front committee, the
    agency itself for a provincial agency, the commune otherwise."""
    where = _where(org)
    for prefix in ("Chi bộ ", "Ban công tác Mặt trận "):
        rest = org.name.removeprefix(prefix)
        if rest != org.name and rest.startswith(("Xóm", "Khu phố", "Ấp")):
            return f"{rest}, {where}"
    if org.kind == Kind.ADMINISTRATIVE:
        return f"{org.name}, {where}"
    if where in org.name:
        return org.name
    return f"Địa bàn {where}"


def _home(org, *keys):
    """A person's address: a hamlet of the unit's commune (khóm in Vĩnh Long, ấp in Đồng Nai)."""
    hamlet = "Khóm" if org.code.startswith("VL") else "Ấp" if org.code.startswith("DNAI") else "Xóm"
    return f"{hamlet} {_pick('home', org.code, *keys) % 12 + 1}, {_where(org)}"


def _dates(campaign):
    """(registration due, starts, completes, mid-term, result) of a model under `campaign`: it
    starts after the registration deadline, ends by the completion deadline and is reported
    before the result deadline."""
    due = {m.kind.code: m.due_on for m in campaign.milestones.select_related("kind")}
    registered = due.get("registration")
    starts = registered + timedelta(days=5) if registered else campaign.period_start
    completes = due.get("completion")
    if completes is None:
        # Vĩnh Long's plan has no completion date: done a fortnight before the award dossier.
        completes = due["award_dossier"] - timedelta(days=15) if "award_dossier" in due else campaign.period_end
    result = min(completes + timedelta(days=5), due.get("result_report", completes + timedelta(days=5)))
    return registered, starts, completes, starts + (completes - starts) / 2, result


def _form(entry, org, campaign, dates, plan, user):
    """The registration form's fields, filled as a unit would (a half-typed draft: the first
    few). `user`: who typed it; a unit's secretary names themself as its leader."""
    _due, starts, completes, mid, result = dates
    name = clean_text(entry["name"])
    authority = campaign.issuing_body_name
    location = _place(org)
    form = {
        "location": location,
        "starts_on": starts,
        "completes_on": completes,
        "contact_phone": _phone(org.code, name),
    }
    if entry["subject"] == I:
        person, position = entry["person"] or (PEOPLE[_pick("person", org.code, name) % len(PEOPLE)], "Đảng viên")
        form.update(
            person_name=person,
            person_position=position,
            person_unit=org.name,
            person_address=_home(org, person),
            person_phone=_phone("person", org.code, name),
            responsible_person=f"Đồng chí {person}, {position}",
        )
        participants = f"Đồng chí {person} trực tiếp thực hiện; vận động gia đình, bà con lối xóm cùng tham gia."
        responsibility = (
            f"Đồng chí {person} trực tiếp thực hiện và chịu trách nhiệm về kết quả; {org.name} theo dõi, hỗ trợ; "
            f"báo cáo kết quả với {authority}."
        )
        assignments = f"Đồng chí {person} thực hiện; {org.name} theo dõi, giúp đỡ và tổng hợp kết quả."
    else:
        person = user.full_name if entry["by"] else PEOPLE[_pick("leader", org.code) % len(PEOPLE)]
        title = LEADERS.get(org.kind, "Người đứng đầu đơn vị")
        form["responsible_person"] = f"Đồng chí {person}, {title}"
        participants = PARTICIPANTS.get(org.kind, "Cán bộ, đảng viên, hội viên và Nhân dân trên địa bàn")
        responsibility = (
            f"Đồng chí {person} chịu trách nhiệm chung, trực tiếp chỉ đạo; các thành viên được phân công phụ trách "
            f"từng nội dung, từng địa bàn; định kỳ báo cáo kết quả với {authority}."
        )
        assignments = (
            f"Đồng chí {person} phụ trách chung; mỗi thành viên phụ trách một nhóm hộ; tổ trưởng tổ tuyên truyền "
            "tổng hợp số liệu, báo cáo hằng tháng."
        )
    form["content"] = (
        f"Khảo sát, lựa chọn đối tượng; xây dựng kế hoạch và tuyên truyền, vận động thực hiện mô hình “{name}”; "
        "tổ chức triển khai, theo dõi, đôn đốc; sơ kết, rút kinh nghiệm và nhân rộng."
    )
    if entry["half"]:
        return form
    form.update(
        participants=participants,
        responsibility=responsibility,
        authority=authority,
        schedule=(
            f"Triển khai từ {starts:%d/%m/%Y}, hoàn thành trước {completes:%d/%m/%Y}; sơ kết tháng {mid:%m/%Y}, "
            f"báo cáo kết quả trước {result:%d/%m/%Y}."
        ),
    )
    if plan:
        form.update(
            purposes=(
                f"Phát huy vai trò của {org.name} trong công tác dân vận; tạo sự đồng thuận, chung sức của Nhân dân để "
                f"mô hình “{name}” đạt kết quả thiết thực, bền vững và nhân rộng được."
            ),
            solutions=(
                "Tuyên truyền qua loa truyền thanh, nhóm Zalo của xóm và các buổi sinh hoạt chi bộ, chi hội; cán bộ, "
                "đảng viên gương mẫu đi đầu; gặp gỡ, vận động từng hộ; công khai kết quả hằng tháng."
            ),
            forces=participants,
            coordinating_forces="Ban công tác Mặt trận, các chi hội đoàn thể; hộ kinh doanh và con em xa quê.",
            review_dates=f"Sơ kết tháng {mid:%m/%Y}; tổng kết, báo cáo kết quả trước {result:%d/%m/%Y}.",
            assignments=assignments,
            conditions="Nguồn xã hội hóa và đóng góp tự nguyện của Nhân dân; cơ sở vật chất của nhà văn hóa.",
        )
        if entry["subject"] == C:
            form["launch_event"] = (
                f"Ra mắt mô hình ngày {starts:%d/%m/%Y} tại {location}; mời đại diện Đảng ủy, Mặt trận Tổ quốc xã "
                "và Nhân dân dự."
            )
    return form


# --------------------------------------------------------------------------------------------
# Evidence: a photo drawn with Pillow and a one-page PDF, made once per build.
# --------------------------------------------------------------------------------------------

EVIDENCE = {
    # key: (file name, caption, kind, colour of the photo)
    "gift-photo": ("trao-qua-ho-kho-khan.png", "Trao quà cho hộ khó khăn từ quỹ tiết kiệm", "photo", (196, 30, 58)),
    "minutes-pdf": ("bien-ban-tong-ket.pdf", "Biên bản tổng kết mô hình", "pdf", None),
    "vneid-photo": ("huong-dan-vneid.png", "Tổ công nghệ số hướng dẫn người dân cài VNeID", "photo", (0, 102, 204)),
    "road-photo": ("tuyen-duong-xom-5.png", "Tuyến đường hoa xóm 5 sau khi hoàn thành", "photo", (34, 139, 34)),
    "report-pdf": ("bao-cao-ket-qua.pdf", "Báo cáo kết quả thực hiện mô hình", "pdf", None),
}


def demo_photo(colour):
    """A small PNG: a sky, a road in perspective and lamp posts, in the model's colour."""
    image = Image.new("RGB", (480, 320), (225, 238, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 200, 480, 320), fill=(120, 170, 90))
    draw.polygon([(200, 200), (280, 200), (420, 320), (60, 320)], fill=(150, 150, 150))
    for x in (150, 330):
        draw.rectangle((x, 110, x + 6, 230), fill=(60, 60, 60))
        draw.ellipse((x - 8, 98, x + 14, 118), fill=(255, 220, 80))
    draw.rectangle((20, 20, 460, 70), fill=colour)
    draw.text((36, 38), "DAN VAN KHEO - DIEN CHAU", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def demo_pdf(title):
    """A valid one-page PDF with one line of text (ASCII: the standard fonts have no Vietnamese)."""
    text = title.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 16 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _evidence_file(key):
    name, _caption, kind, colour = EVIDENCE[key]
    if kind == "photo":
        return ContentFile(demo_photo(colour), name=name)
    return ContentFile(demo_pdf(f"Dan van kheo - {name.removesuffix('.pdf')}"), name=name)


# --------------------------------------------------------------------------------------------
# Steps.
# --------------------------------------------------------------------------------------------


def _submitted_at(due, entry, index, today):
    """Submitted a few days before the registration deadline `due` (after it when late); the
    live campaign's in the last days."""
    if entry["status"] == DRAFT:
        return None
    if due is None or due >= today:
        day = today - timedelta(days=1 + index % 5)
    elif entry["late"]:
        day = due + timedelta(days=2 + index % 4)
    else:
        day = due - timedelta(days=3 + index % 15)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + index % 9, 15)))


# How many saves each state took (create, submit, review); reports add theirs.
VERSIONS = {DRAFT: 1, SUBMITTED: 2, RETURNED: 3, ACCEPTED: 3, REJECTED: 3, WITHDRAWN: 3}
REVIEWED = (RETURNED, ACCEPTED, REJECTED, IN_PROGRESS, COMPLETED)


def _targets(entry, continues):
    if continues is not None:
        return [(t.indicator, raised(t.value, t.unit), t.unit) for t in continues.targets.all()]
    targets = TARGETS.get(clean_text(entry["name"])) or FIELD_TARGETS[entry["field"]]
    return [(indicator, Decimal(value), unit) for indicator, value, unit in targets]


def _reports(ctx, registration, targets, entry, in_full, dates, user):
    """A progress report at mid-term for a model under way (and, `in_full`, for a completed
    one); for a completed one the result report, which completes it, with the entry's
    evidence files."""
    _due, _starts, _completes, mid, result = dates
    # Reports are never dated after the build day (the seeds' dates are long past on any real one).
    mid, result = min(mid, ctx.today), min(result, ctx.today)
    name = registration.initiative.name
    reports = []
    if entry["status"] == IN_PROGRESS or in_full:
        reports.append(
            report_create(
                registration=registration,
                user=user,
                kind=ReportKind.PROGRESS,
                reported_on=mid,
                summary=(
                    f"Sơ kết giữa kỳ mô hình “{name}”: đã ra mắt mô hình, phân công phụ trách; Nhân dân đồng tình "
                    "hưởng ứng; các chỉ tiêu đạt khoảng một nửa kế hoạch."
                ),
                entries=[{"target": t, "achieved": _achieved(t, Decimal("0.55")), "note": ""} for t in targets],
            )
        )
    if entry["status"] == COMPLETED:
        # From a little under the targets to well over them, the same on every run.
        share = Decimal("0.95") + Decimal("0.1") * (_pick("result", name, registration.organization.code) % 4)
        reports.append(
            report_create(
                registration=registration,
                user=user,
                kind=ReportKind.RESULT,
                reported_on=result,
                summary=(
                    f"Báo cáo kết quả mô hình “{name}”: {'gần đạt' if share < 1 else 'hoàn thành và vượt'} các chỉ "
                    "tiêu đăng ký; mô hình được Nhân dân đồng tình, có khả năng duy trì và nhân rộng."
                ),
                entries=[
                    {"target": t, "achieved": _achieved(t, share), "note": "Số liệu tổng hợp đến ngày báo cáo"}
                    for t in targets
                ],
            )
        )
        for key in entry["evidence"]:
            attach_evidence(
                registration=registration,
                uploaded_file=_evidence_file(key),
                user=user,
                report=reports[-1],
                caption=EVIDENCE[key][1],
            )
            ctx.created["evidence"] += 1
    ctx.created["reports"] += len(reports)


def _achieved(target, share):
    value = target.value * share
    if target.unit == "%":
        return min(value, Decimal(100)).quantize(Decimal("0.1"))
    return value.quantize(Decimal(1))


def _create(ctx, plan, index, entry, initiative):
    """One registration in its state, with its form, targets, review and reports."""
    org = initiative.organization
    continues = plan["earlier"].get(initiative.pk) if entry["continues"] else None
    user = ctx.users.get(entry["by"] or plan["staff"])
    runs = entry["status"] in (IN_PROGRESS, COMPLETED)
    submitted_at = _submitted_at(plan["dates"][0], entry, index, ctx.today)
    reviewed = entry["status"] in REVIEWED
    registration = Registration.objects.create(
        campaign=plan["campaign"],
        organization=org,
        initiative=initiative,
        subject_type=entry["subject"],
        # A model that ran was accepted; its reports move it on (reports.report_create).
        status=ACCEPTED if runs else entry["status"],
        version=4 if entry["half"] else VERSIONS[ACCEPTED if runs else entry["status"]],
        field=plan["fields"].get(entry["field"]),
        is_late=entry["late"],
        late_reason=entry["late_reason"],
        continues=continues,
        submitted_at=submitted_at,
        review_comment=entry["comment"],
        reviewed_by=ctx.users.get(plan["staff"]) if reviewed else None,
        reviewed_at=min(submitted_at + timedelta(days=3), timezone.now()) if reviewed else None,
        created_by=user,
        **_form(entry, org, plan["campaign"], plan["dates"], plan["key"] in IN_FULL, user),
    )
    values = _targets(entry, continues)[: 1 if entry["half"] else None]
    targets = bulk_create_with_history(
        [
            RegistrationTarget(registration=registration, indicator=indicator, value=value, unit=unit, position=i)
            for i, (indicator, value, unit) in enumerate(values)
        ],
        RegistrationTarget,
    )
    ctx.created["targets"] += len(targets)
    if runs:
        _reports(ctx, registration, targets, entry, plan["key"] in IN_FULL, plan["dates"], user)


def _plan(ctx, key, staff, entries, fields):
    """What the entries of one campaign share, read once: its dates, the initiatives and
    registrations that exist, the registrations they may continue (with their targets)."""
    campaign = demo_campaign(ctx, key)
    orgs = {ctx.org(entry["org"]).pk for entry in entries}
    earlier = {entry["continues"] for entry in entries if entry["continues"]}
    return {
        "key": key,
        "staff": staff,
        "campaign": campaign,
        "fields": fields,
        "dates": _dates(campaign),
        "initiatives": {
            (i.organization_id, i.name): i
            for i in Initiative.objects.filter(organization_id__in=orgs).select_related("organization")
        },
        "registered": set(Registration.objects.filter(campaign=campaign).values_list("initiative_id", flat=True)),
        "earlier": {
            r.initiative_id: r
            for r in Registration.objects.filter(
                campaign__in=[demo_campaign(ctx, k) for k in earlier]
            ).prefetch_related("targets")
        },
    }


def build_registrations(ctx):
    fields = {f.code: f for f in Field.objects.all()}
    for key, staff, entries in REGISTRATIONS:
        if demo_campaign(ctx, key).status != CampaignStatus.PUBLISHED:
            continue  # history is frozen in the snapshot: add nothing
        plan = _plan(ctx, key, staff, entries, fields)
        for index, entry in enumerate(entries):
            org = ctx.org(entry["org"])
            name = clean_text(entry["name"])
            initiative = plan["initiatives"].get((org.pk, name))
            if initiative is None:
                initiative = Initiative.objects.create(organization=org, name=name)
                ctx.created["initiatives"] += 1
            if initiative.pk in plan["registered"]:
                continue
            ctx.created["registrations"] += 1
            _create(ctx, plan, index, entry, initiative)
    campaigns = [demo_campaign(ctx, key) for key, _staff, _entries in REGISTRATIONS]
    ours = Registration.objects.filter(campaign__in=campaigns)
    found = {
        "initiatives": Initiative.objects.filter(in_demo_tree()).count(),
        "registrations": ours.count(),
        "targets": RegistrationTarget.objects.filter(registration__in=ours).count(),
        "reports": ProgressReport.objects.filter(registration__in=ours).count(),
        "evidence": Evidence.objects.filter(registration__in=ours).count(),
    }
    for label, count in found.items():
        ctx.existing[label] += count - ctx.created[label]


def reset_registrations(deleted):
    """Registrations under demo campaigns or by demo organisations (with their targets,
    reports and evidence), then the demo organisations' initiatives, with their history
    rows; the evidence files go from storage once the reset is committed."""
    campaigns = Campaign.objects.filter(in_demo_tree()).values("pk")
    registrations = Registration.objects.filter(Q(campaign__in=campaigns) | in_demo_tree())
    registration_ids = list(registrations.values_list("pk", flat=True))
    owned = {"registration_id__in": registration_ids}
    target_ids = list(RegistrationTarget.objects.filter(**owned).values_list("pk", flat=True))
    report_ids = list(ProgressReport.objects.filter(**owned).values_list("pk", flat=True))
    entry_ids = list(ReportEntry.objects.filter(report_id__in=report_ids).values_list("pk", flat=True))
    evidence = list(Evidence.objects.filter(**owned).values_list("pk", "file", "thumbnail"))
    evidence_ids = [pk for pk, _file, _thumbnail in evidence]
    # What the registrations hold goes first without per-row signals: the history rows they
    # would write are purged below anyway, and a row at a time is most of the reset's time.
    for model, ids in (
        (ReportEntry, entry_ids),
        (Evidence, evidence_ids),
        (ProgressReport, report_ids),
        (RegistrationTarget, target_ids),
    ):
        model.objects.all_tenants().filter(pk__in=ids)._raw_delete(model.objects.db)
    deleted["registrations"] += registrations.delete()[1].get(Registration._meta.label, 0)
    deleted["targets"] += len(target_ids)
    deleted["reports"] += len(report_ids)
    deleted["evidence"] += len(evidence)
    initiatives = Initiative.objects.filter(in_demo_tree())
    initiative_ids = list(initiatives.values_list("pk", flat=True))
    deleted["initiatives"] += initiatives.delete()[1].get(Initiative._meta.label, 0)
    for model, ids in (
        (Registration, registration_ids),
        (Initiative, initiative_ids),
        (RegistrationTarget, target_ids),
        (ProgressReport, report_ids),
        (ReportEntry, entry_ids),
        (Evidence, evidence_ids),
    ):
        purge_history(model, ids)
    storage = Evidence._meta.get_field("file").storage
    names = [name for _pk, *files in evidence for name in files if name]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


BUILD_STEPS = [build_registrations]
RESET_STEPS = [reset_registrations]
