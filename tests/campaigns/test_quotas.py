"""Every quota shape of the seeds, with the seeds' own numbers."""

import datetime

import pytest
from django_scopes import scopes_disabled

from campaigns.compliance import compliance_report
from campaigns.enums import ComplianceStatus, RegistrationStatus, SubjectType
from tests.campaigns.builders import campaign, org, quota, register

COLL, INDIV = SubjectType.COLLECTIVE, SubjectType.INDIVIDUAL
MET, BEHIND, OVERDUE = ComplianceStatus.MET, ComplianceStatus.BEHIND, ComplianceStatus.OVERDUE


def statuses(report):
    return {t.org["code"]: t.status for t in report.targets}


def report_for(c, root=None, today=None):
    with scopes_disabled():
        return compliance_report(c, root or c.organization, acting=root or c.organization, today=today)


@pytest.fixture
def dong_phu(db):
    province = org(None, "DNAI", "Tỉnh Đồng Nai", "province", "administrative")
    commune = org(province, "DP", "Xã Đồng Phú", "commune", "administrative")
    units = {
        "CB1": org(commune, "CB1", "Chi bộ Ấp 1"),
        "CB2": org(commune, "CB2", "Chi bộ Ấp 2"),
        "DBCA": org(commune, "DBCA", "Đảng bộ Công an xã", kind="party_cell"),
        "MTTQ": org(commune, "MTTQ", "Ủy ban MTTQ xã", kind="fatherland_front"),
        "BCTMT": org(commune, "BCTMT", "Ban công tác Mặt trận Ấp 1", "village", "fatherland_front"),
        "CCB": org(commune, "CCB", "Hội Cựu chiến binh xã", kind="veterans"),
    }
    c = campaign(
        commune,
        "11-KH/ĐU",
        start=datetime.date(2025, 9, 1),
        end=datetime.date(2025, 12, 31),
        registration_due=datetime.date(2025, 9, 27),
        target_kinds=["party_cell", "fatherland_front"],
    )
    quota(c, "Mỗi chi bộ, đảng bộ và mỗi tổ chức MTTQ ít nhất 01 mô hình", min_total=1)
    return c, units


def test_dong_phu_each_party_cell_and_mttq_body_at_least_one(dong_phu):
    c, units = dong_phu
    register(c, units["CB1"])
    register(c, units["MTTQ"], INDIV)
    register(c, units["CB2"], status=RegistrationStatus.DRAFT)  # a draft does not count
    register(c, units["DBCA"], status=RegistrationStatus.RETURNED)  # nor a returned one
    register(c, units["CCB"])  # not a target: counted in totals, no quota of its own
    report = report_for(c, today=datetime.date(2025, 9, 20))
    assert statuses(report) == {"CB1": MET, "CB2": BEHIND, "DBCA": BEHIND, "MTTQ": MET, "BCTMT": BEHIND}
    assert (report.root.targets, report.root.met) == (5, 2)
    assert report.root.registered.total == 3


def test_dong_phu_after_27_9_2025_the_behind_are_overdue(dong_phu):
    c, units = dong_phu
    register(c, units["CB1"])
    on_the_day = report_for(c, today=datetime.date(2025, 9, 27))
    assert statuses(on_the_day)["CB2"] == BEHIND  # due at the end of the stored day
    after = report_for(c, today=datetime.date(2025, 9, 28))
    assert statuses(after)["CB2"] == OVERDUE and statuses(after)["CB1"] == MET
    assert after.root.status == OVERDUE


def test_late_registrations_count(dong_phu):
    c, units = dong_phu
    late = register(c, units["CB2"], status=RegistrationStatus.ACCEPTED)[0]
    late.is_late = True
    late.save()
    assert statuses(report_for(c, today=datetime.date(2025, 10, 5)))["CB2"] == MET


@pytest.fixture
def dien_chau(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    commune = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    units = [org(commune, f"DC-U{i:02d}", f"Chi bộ Xóm {i}") for i in range(1, 46)]
    c = campaign(commune, "KH-DC-2026", registration_due=datetime.date(2026, 3, 5), target_levels=["unit"])
    quota(c, "Mỗi cơ quan, đơn vị, chi bộ ít nhất 01 mô hình", min_total=1)
    quota(c, "Toàn xã tối thiểu 42 mô hình", scope="total", min_total=42)
    return c, units


def test_dien_chau_at_least_42_in_total_and_each_unit_one(dien_chau):
    c, units = dien_chau
    for unit in units[:41]:
        register(c, unit)
    report = report_for(c, today=datetime.date(2026, 3, 1))
    [total] = report.totals
    assert (total.registered.total, total.required.total, total.status) == (41, 42, BEHIND)
    assert (report.root.targets, report.root.met) == (45, 41)

    register(c, units[0], INDIV)  # a second model of one unit: the total moves, that unit was already met
    report = report_for(c, today=datetime.date(2026, 3, 1))
    assert (report.totals[0].registered.total, report.totals[0].status) == (42, MET)
    assert report.root.met == 41
    assert report_for(c, today=datetime.date(2026, 3, 6)).root.status == OVERDUE


@pytest.fixture
def vinh_long(db):
    province = org(None, "VL", "Tỉnh Vĩnh Long", "province", "administrative")
    o = {
        "NOIVU": org(province, "NOIVU", "Sở Nội vụ", kind="agency"),
        "TAICHINH": org(province, "TAICHINH", "Sở Tài chính", kind="agency"),
        "CONGAN": org(province, "CONGAN", "Công an tỉnh", kind="police"),
        "QUANSU": org(province, "QUANSU", "Bộ Chỉ huy Quân sự tỉnh", kind="military"),
        "GIAODUC": org(province, "GIAODUC", "Sở Giáo dục và Đào tạo", kind="agency"),
        "YTE": org(province, "YTE", "Sở Y tế", kind="agency"),
    }
    o["LONGHO"] = org(province, "LONGHO", "Huyện Long Hồ (cũ)", "legacy_district", "administrative")
    o["LONGHO-PNV"] = org(o["LONGHO"], "LONGHO-PNV", "Phòng Nội vụ huyện", kind="agency")
    o["LONGHO-XA"] = org(o["LONGHO"], "LONGHO-XA", "Xã Long Phước", "commune", "administrative")
    o["LONGHO-XA-CB"] = org(o["LONGHO-XA"], "LONGHO-XA-CB", "Chi bộ Ấp Phước Định")
    c = campaign(
        province,
        "553/QĐ-UBND",
        start=datetime.date(2025, 4, 2),
        end=datetime.date(2025, 12, 31),
        registration_due=datetime.date(2025, 4, 15),
        issuing_body="peoples_committee",
        target_levels=["unit", "legacy_district"],
        target_direct_only=True,
    )
    exceptions = [o["CONGAN"], o["QUANSU"], o["GIAODUC"], o["YTE"]]
    quota(
        c,
        "Cơ quan, đơn vị cấp tỉnh: 02 tập thể, 04 cá nhân",
        levels=["unit"],
        min_collective=2,
        min_individual=4,
        excluded=exceptions,
    )
    quota(
        c,
        "Công an, Quân sự, Giáo dục, Y tế và UBND các huyện (gồm phòng chuyên môn và UBND cấp xã): 05 tập thể, "
        "10 cá nhân",
        levels=["legacy_district"],
        organizations=exceptions,
        counts_subtree=True,
        min_collective=5,
        min_individual=10,
    )
    return c, o


def test_vinh_long_2_plus_4_for_agencies_5_plus_10_for_the_exception_list(vinh_long):
    c, o = vinh_long
    register(c, o["NOIVU"], COLL, n=2)
    register(c, o["NOIVU"], INDIV, n=3)
    register(c, o["GIAODUC"], COLL, n=2)
    register(c, o["GIAODUC"], INDIV, n=4)  # 2 + 4 would satisfy an agency, not the education department
    register(c, o["CONGAN"], COLL, n=5)
    register(c, o["CONGAN"], INDIV, n=10)
    report = report_for(c, today=datetime.date(2025, 4, 10))
    by_code = {t.org["code"]: t for t in report.targets}
    assert set(by_code) == {"NOIVU", "TAICHINH", "CONGAN", "QUANSU", "GIAODUC", "YTE", "LONGHO"}
    assert (by_code["NOIVU"].required.collective, by_code["NOIVU"].required.individual) == (2, 4)
    assert by_code["NOIVU"].status == BEHIND  # 3 individuals of 4
    assert (by_code["GIAODUC"].required.collective, by_code["GIAODUC"].required.individual) == (5, 10)
    assert by_code["GIAODUC"].status == BEHIND
    assert by_code["CONGAN"].status == MET
    register(c, o["NOIVU"], INDIV)
    assert statuses(report_for(c, today=datetime.date(2025, 4, 10)))["NOIVU"] == MET


def test_vinh_long_district_quota_counts_its_offices_and_communes(vinh_long):
    c, o = vinh_long
    register(c, o["LONGHO"], COLL, n=1)
    register(c, o["LONGHO-PNV"], COLL, n=2)
    register(c, o["LONGHO-XA"], COLL, n=1)
    register(c, o["LONGHO-XA-CB"], COLL, n=1)
    register(c, o["LONGHO-PNV"], INDIV, n=6)
    register(c, o["LONGHO-XA-CB"], INDIV, n=3)
    district = {t.org["code"]: t for t in report_for(c, today=datetime.date(2025, 4, 10)).targets}["LONGHO"]
    assert (district.registered.collective, district.registered.individual) == (5, 9)
    assert district.status == BEHIND
    register(c, o["LONGHO-XA"], INDIV)
    assert statuses(report_for(c, today=datetime.date(2025, 4, 10)))["LONGHO"] == MET


def test_a_quota_on_the_target_alone_ignores_its_subtree(vinh_long):
    c, o = vinh_long
    with scopes_disabled():
        q = c.quotas.get(levels=["legacy_district"])
    q.counts_subtree = False
    q.save()
    register(c, o["LONGHO-PNV"], COLL, n=5)
    register(c, o["LONGHO-PNV"], INDIV, n=10)
    district = {t.org["code"]: t for t in report_for(c, today=datetime.date(2025, 4, 10)).targets}["LONGHO"]
    assert district.registered.total == 0 and district.status == BEHIND


def test_models_carried_over_count_when_re_registered(dien_chau):
    c2026, units = dien_chau
    old = register(c2026, units[0], status=RegistrationStatus.COMPLETED)[0]
    c2027 = campaign(
        c2026.organization,
        "KH-DC-2027",
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
        target_levels=["unit"],
    )
    quota(c2027, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    report = report_for(c2027, today=datetime.date(2027, 2, 1))
    assert statuses(report)["DC-U01"] == BEHIND  # last year's registration is not this year's
    register(c2027, units[0], continues=old)
    assert statuses(report_for(c2027, today=datetime.date(2027, 2, 1)))["DC-U01"] == MET


def test_a_derived_campaign_counts_toward_the_upper_one_once(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    dc = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    hc = org(province, "HC", "Xã Hải Châu", "commune", "administrative")
    dc_unit, hc_unit = org(dc, "DC-U1", "Chi bộ Xóm 1"), org(hc, "HC-U1", "Chi bộ Xóm 1")
    upper = campaign(province, "KH-TINH-2027", target_levels=["unit"])
    quota(upper, "Mỗi đơn vị ít nhất 01 mô hình", min_total=1)
    lower = campaign(dc, "KH-DC-2027", derived_from=upper, title="Thực hiện", issuing_body_name="Đảng ủy xã")
    assert lower.lineage.startswith(upper.lineage)
    with scopes_disabled():
        assert [q.label for q in lower.quotas.all()] == ["Mỗi đơn vị ít nhất 01 mô hình"]
    register(lower, dc_unit)
    register(upper, hc_unit)

    whole = report_for(upper)
    assert whole.root.registered.total == 2 and statuses(whole) == {"DC-U1": MET, "HC-U1": MET}
    seen_from_dc = report_for(upper, root=dc)
    assert seen_from_dc.root.registered.total == 1  # never the sibling commune's
    assert {t.org["code"] for t in seen_from_dc.targets} == {"DC-U1"}
    assert report_for(lower).root.registered.total == 1


def test_roll_up_by_level(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    communes = [org(province, f"X{i}", f"Xã {i}", "commune", "administrative") for i in range(3)]
    units = [org(commune, f"X{i}-U{j}", f"Chi bộ {j}") for i, commune in enumerate(communes) for j in range(2)]
    c = campaign(province, "KH-TINH", target_levels=["unit"])
    quota(c, "Mỗi đơn vị 01", min_total=1)
    register(c, units[0])
    register(c, units[1])
    register(c, units[2], n=3)
    report = report_for(c)
    rows = {n.org["code"]: (n.targets, n.met, n.registered.total) for n in report.children}
    assert rows == {"X0": (2, 2, 2), "X1": (2, 1, 3), "X2": (2, 0, 0)}
    assert (report.root.targets, report.root.met, report.root.registered.total) == (6, 3, 5)
