"""Where a unit registers: the nearest open campaign that targets it (DOMAIN.md)."""

from django_scopes import scope, scopes_disabled

from campaigns.enums import CampaignStatus
from campaigns.selectors import open_campaign_for
from tests.campaigns.builders import campaign, org, quota


def test_units_of_a_commune_with_a_derived_plan_register_under_it(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    dc = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    hc = org(province, "HC", "Xã Hải Châu", "commune", "administrative")
    dc_unit, hc_unit = org(dc, "DC-U1", "Chi bộ Xóm 1"), org(hc, "HC-U1", "Chi bộ Xóm 1")
    upper = campaign(province, "21-KH/BCĐ", target_levels=["unit"])
    quota(upper, "Mỗi đơn vị 01", min_total=1)
    lower = campaign(dc, "27-KH/ĐU", derived_from=upper, title="Thực hiện", issuing_body_name="Đảng ủy xã Diễn Châu")

    with scope(org=dc_unit):
        assert open_campaign_for(dc_unit) == lower
    with scope(org=hc_unit):
        assert open_campaign_for(hc_unit) == upper  # no plan of its own commune: the province's

    with scopes_disabled():
        lower.status = CampaignStatus.CLOSED
        lower.save()
    with scope(org=dc_unit):
        assert open_campaign_for(dc_unit) == upper


def test_a_draft_or_untargeted_campaign_takes_no_registration(db):
    province = org(None, "NA", "Tỉnh Nghệ An", "province", "administrative")
    dc = org(province, "DC", "Xã Diễn Châu", "commune", "administrative")
    mttq = org(dc, "DC-MTTQ", "Ủy ban MTTQ xã", kind="fatherland_front")
    campaign(dc, "01-KH/ĐU", status=CampaignStatus.DRAFT, target_levels=["unit"])
    campaign(dc, "02-KH/ĐU", target_kinds=["party_cell"])
    with scope(org=mttq):
        assert open_campaign_for(mttq) is None
