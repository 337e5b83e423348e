"""Demo initiatives and registrations for `manage.py seed_demo`, so the campaigns' dashboards
are not empty (found by dvk.demo through the installed apps; runs after campaigns/demo.py).

A modest set, in the seeds' spirit: under the closed history campaigns (Diễn Châu 2026 with
~35 models across its units, some late; a few in Hải Châu under the province guidance; Đồng
Phú 2025; Vĩnh Long 2025 with agencies that met 2 + 4 and 5 + 10 and some that did not) and
under the live Diễn Châu 2027 plan (~15, many continuing a 2026 model via `continues`). Many
Diễn Châu units have nothing yet in 2027, among them demo-chibo's Chi bộ Xóm 5: they are
behind, and the reminder sweep that seed_demo runs at the end reminds them.

An initiative is looked up by (organisation, name), a registration by (initiative, campaign):
a second run creates nothing. Registrations of a closed campaign are never added afterwards
(its snapshot is history).
"""

import datetime
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from campaigns.demo import demo_campaign
from campaigns.enums import CampaignStatus, RegistrationStatus, SubjectType
from campaigns.models import Campaign, Field
from dvk.demo import in_demo_tree, purge_history
from dvk.text import clean_text

from .models import Initiative, Registration

LABELS = {"initiatives": "Mô hình", "registrations": "Đăng ký mô hình"}

C, I = SubjectType.COLLECTIVE, SubjectType.INDIVIDUAL  # noqa: E741
SUBMITTED, ACCEPTED = RegistrationStatus.SUBMITTED, RegistrationStatus.ACCEPTED
IN_PROGRESS, COMPLETED = RegistrationStatus.IN_PROGRESS, RegistrationStatus.COMPLETED
DRAFT, WITHDRAWN = RegistrationStatus.DRAFT, RegistrationStatus.WITHDRAWN
KT, VH, QP, TG, CT = (
    "kinh-te",
    "van-hoa-xa-hoi",
    "quoc-phong-an-ninh",
    "ton-giao-dan-toc",
    "xay-dung-he-thong-chinh-tri",
)


def reg(org, subject, field, status, name, *, late=False, continues=None, by=None):
    """One registration. `continues`: key of the campaign whose registration of the same
    initiative this one continues. `by`: username of who entered it (default: the campaign's
    staff account)."""
    return {
        "org": org,
        "subject": subject,
        "field": field,
        "status": status,
        "name": name,
        "late": late,
        "continues": continues,
        "by": by,
    }


def dc(suffix):
    return f"NA-DIENCHAU-{suffix}"


def hc(suffix):
    return f"NA-HAICHAU-{suffix}"


def dp(suffix):
    return f"DNAI-DONGPHU-{suffix}"


DIEN_CHAU_2026 = [
    reg(dc("DU"), C, KT, COMPLETED, "Đảng ủy đồng hành cùng doanh nghiệp, hộ kinh doanh"),
    reg(dc("UBND"), C, CT, COMPLETED, "Chính quyền thân thiện, vì Nhân dân phục vụ"),
    reg(dc("UBND"), I, CT, COMPLETED, "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến tại nhà"),
    reg(dc("MTTQ"), C, VH, COMPLETED, "Mỗi ngày tiết kiệm 1.000 đồng để làm việc nghĩa"),
    reg(dc("CCB"), C, KT, COMPLETED, "Cựu chiến binh giúp nhau phát triển kinh tế, giảm nghèo bền vững"),
    reg(dc("LHPN"), C, VH, COMPLETED, "Phụ nữ chung tay bảo vệ môi trường, phân loại rác thải tại nguồn"),
    reg(dc("LHPN"), I, VH, IN_PROGRESS, "Một giúp một: hội viên khá giúp hội viên khó khăn"),
    reg(dc("DTN"), C, VH, COMPLETED, "Dân vận khéo trong chuyển đổi số: Tổ công nghệ số cộng đồng"),
    reg(dc("HND"), C, KT, IN_PROGRESS, "Liên kết sản xuất và tiêu thụ rau an toàn"),
    reg(dc("NCT"), C, VH, ACCEPTED, "Câu lạc bộ liên thế hệ tự giúp nhau"),
    reg(dc("CTD"), C, VH, COMPLETED, "Tủ bánh mì 0 đồng cho học sinh nghèo"),
    reg(dc("CB-CONGAN"), C, QP, COMPLETED, "Camera an ninh: mắt thần khu dân cư"),
    reg(dc("CB-CONGAN"), I, QP, COMPLETED, "Công an xã gần dân, hiểu dân, giúp dân"),
    reg(dc("CB-QUANSU"), C, QP, ACCEPTED, "Dân quân giúp dân mùa vụ"),
    reg(dc("CB-UBND"), C, CT, COMPLETED, "Một cửa “3 không”: không hẹn lần hai, không phiền hà, không tiêu cực"),
    reg(dc("CB-DANGUY"), C, CT, IN_PROGRESS, "Sổ tay đảng viên điện tử"),
    reg(dc("CB-MN1"), C, VH, COMPLETED, "Xây dựng trường học hạnh phúc"),
    reg(dc("CB-TH1"), C, VH, ACCEPTED, "Góc sách nhỏ nuôi dưỡng văn hóa đọc"),
    reg(dc("CB-THCS"), C, VH, COMPLETED, "Tiếp sức học sinh khó khăn đến trường"),
    reg(dc("CB-TYT"), C, VH, SUBMITTED, "Vận động người dân tham gia bảo hiểm y tế", late=True),
    reg(dc("CB-XOM01"), C, VH, COMPLETED, "Tuyến đường sáng - xanh - sạch - đẹp"),
    reg(dc("CB-XOM02"), C, KT, COMPLETED, "Hiến đất mở rộng đường giao thông nông thôn"),
    reg(dc("CB-XOM03"), C, QP, COMPLETED, "Khu dân cư không có tội phạm và tệ nạn xã hội"),
    reg(dc("CB-XOM03"), I, KT, IN_PROGRESS, "Đảng viên gương mẫu giúp hộ cận nghèo thoát nghèo"),
    reg(dc("CB-XOM04"), C, VH, COMPLETED, "Thắp sáng đường quê"),
    reg(dc("CB-XOM05"), C, VH, COMPLETED, "Tuyến đường sáng - xanh - sạch - đẹp", by="demo-chibo"),
    reg(dc("CB-XOM06"), C, VH, ACCEPTED, "Việc cưới, việc tang văn minh, tiết kiệm"),
    reg(dc("CB-XOM07"), C, CT, COMPLETED, "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm"),
    reg(dc("CB-XOM08"), C, KT, IN_PROGRESS, "Chuyển đổi cơ cấu cây trồng trên đất màu"),
    reg(dc("CB-XOM09"), C, VH, SUBMITTED, "Ngày Chủ nhật xanh"),
    reg(dc("CB-XOM10"), C, VH, COMPLETED, "Quỹ khuyến học dòng họ"),
    reg(dc("CB-XOM11"), C, QP, ACCEPTED, "Tổ liên gia tự quản an ninh trật tự"),
    reg(dc("CB-XOM12"), I, TG, COMPLETED, "Người có uy tín vận động đồng bào có đạo sống tốt đời, đẹp đạo"),
    reg(dc("CB-XOM14"), C, VH, SUBMITTED, "Nhà văn hóa xóm, điểm sinh hoạt cộng đồng văn minh", late=True),
    reg(dc("CB-XOM15"), C, KT, COMPLETED, "Vườn mẫu, khu dân cư kiểu mẫu"),
    reg(dc("XOM01"), C, VH, COMPLETED, "Đoàn kết xây dựng khu dân cư kiểu mẫu"),
    reg(dc("CB-XOM16"), C, VH, WITHDRAWN, "Thu gom rác thải nhựa đổi quà"),
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
    reg(dc("LHPN"), I, VH, SUBMITTED, "Một giúp một: hội viên khá giúp hội viên khó khăn", continues="dienchau-2026"),
    reg(
        dc("DTN"),
        C,
        VH,
        SUBMITTED,
        "Dân vận khéo trong chuyển đổi số: Tổ công nghệ số cộng đồng",
        continues="dienchau-2026",
    ),
    reg(dc("DTN"), I, VH, SUBMITTED, "Thanh niên hướng dẫn người cao tuổi dùng VNeID, thanh toán không tiền mặt"),
    reg(dc("HND"), C, KT, DRAFT, "Hợp tác xã liên kết trồng dưa lưới công nghệ cao"),
    reg(dc("CB-CONGAN"), C, QP, ACCEPTED, "Camera an ninh: mắt thần khu dân cư", continues="dienchau-2026"),
    reg(dc("CB-MN2"), C, VH, SUBMITTED, "Bữa ăn học đường an toàn, đủ chất"),
    reg(dc("CB-THCS"), I, VH, DRAFT, "Thầy cô đồng hành cùng học sinh vượt khó"),
    reg(dc("CB-TYT"), C, VH, SUBMITTED, "Trạm Y tế thân thiện: khám sàng lọc tại nhà cho người cao tuổi"),
    reg(dc("CB-XOM01"), C, VH, SUBMITTED, "Tuyến đường sáng - xanh - sạch - đẹp", continues="dienchau-2026"),
    reg(dc("CB-XOM02"), C, KT, SUBMITTED, "Điện mặt trời chiếu sáng ngõ xóm"),
    reg(dc("CB-XOM03"), C, QP, ACCEPTED, "Khu dân cư không có tội phạm và tệ nạn xã hội", continues="dienchau-2026"),
    reg(dc("CB-XOM07"), C, CT, ACCEPTED, "Tổ hòa giải ở cơ sở giữ tình làng nghĩa xóm", continues="dienchau-2026"),
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


def _submitted_at(campaign, entry, index, today):
    """Submitted a few days before the registration deadline (after it when late); the live
    campaign's in the last days."""
    if entry["status"] == DRAFT:
        return None
    due = campaign.milestones.filter(kind__code="registration").values_list("due_on", flat=True).first()
    if due is None or due >= today:
        day = today - timedelta(days=1 + index % 5)
    elif entry["late"]:
        day = due + timedelta(days=2 + index % 4)
    else:
        day = due - timedelta(days=3 + index % 15)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 + index % 9, 15)))


def build_registrations(ctx):
    fields = {f.code: f for f in Field.objects.all()}
    for key, staff, entries in REGISTRATIONS:
        campaign = demo_campaign(ctx, key)
        if campaign.status != CampaignStatus.PUBLISHED:
            continue  # history is frozen in the snapshot: add nothing
        for index, entry in enumerate(entries):
            org = ctx.org(entry["org"])
            name = clean_text(entry["name"])
            initiative = Initiative.objects.filter(organization=org, name=name).first()
            if initiative is None:
                initiative = Initiative.objects.create(organization=org, name=name)
                ctx.created["initiatives"] += 1
            if Registration.objects.filter(initiative=initiative, campaign=campaign).exists():
                continue
            ctx.created["registrations"] += 1
            continues = None
            if entry["continues"]:
                earlier = demo_campaign(ctx, entry["continues"])
                continues = Registration.objects.get(initiative=initiative, campaign=earlier)
            Registration.objects.create(
                campaign=campaign,
                organization=org,
                initiative=initiative,
                subject_type=entry["subject"],
                status=entry["status"],
                field=fields.get(entry["field"]),
                is_late=entry["late"],
                continues=continues,
                submitted_at=_submitted_at(campaign, entry, index, ctx.today),
                created_by=ctx.users.get(entry["by"] or staff),
            )
    campaigns = [demo_campaign(ctx, key) for key, _staff, _entries in REGISTRATIONS]
    ctx.existing["initiatives"] += Initiative.objects.filter(in_demo_tree()).count() - ctx.created["initiatives"]
    ctx.existing["registrations"] += (
        Registration.objects.filter(campaign__in=campaigns).count() - ctx.created["registrations"]
    )


def reset_registrations(deleted):
    """Registrations under demo campaigns or by demo organisations, then the demo
    organisations' initiatives, with their history rows."""
    campaigns = Campaign.objects.filter(in_demo_tree()).values("pk")
    registrations = Registration.objects.filter(Q(campaign__in=campaigns) | in_demo_tree())
    registration_ids = list(registrations.values_list("pk", flat=True))
    deleted["registrations"] += registrations.delete()[1].get(Registration._meta.label, 0)
    initiatives = Initiative.objects.filter(in_demo_tree())
    initiative_ids = list(initiatives.values_list("pk", flat=True))
    deleted["initiatives"] += initiatives.delete()[1].get(Initiative._meta.label, 0)
    purge_history(Registration, registration_ids)
    purge_history(Initiative, initiative_ids)


BUILD_STEPS = [build_registrations]
RESET_STEPS = [reset_registrations]
