import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from campaigns.models import Campaign
from campaigns.services import campaign_derive
from dvk import demo
from dvk.enums import ALLOWED_CHILD_LEVELS, Level, Role
from dvk.models import ORG_CODE_RE, Membership, Notification, Organization, User
from models_registry.models import Initiative, Registration
from tests.campaigns.builders import campaign, register

EXPECTED_ROLES = {
    "demo-tinh": ("NA", Role.STAFF),
    "demo-xa": ("NA-DIENCHAU", Role.STAFF),
    "demo-chibo": ("NA-DIENCHAU-CB-XOM05", Role.SECRETARY),
    "demo-xa-ben": ("NA-HAICHAU", Role.STAFF),
    "demo-xa-khac": ("DNAI-DONGPHU", Role.STAFF),
    "demo-thamdinh": ("NA-DIENCHAU", Role.MEMBER),
    "demo-uyvien": ("NA-DIENCHAU-MTTQ", Role.SECRETARY),
    "demo-thuky": ("NA-DIENCHAU", Role.MEMBER),
    "demo-vinhlong": ("VL", Role.STAFF),
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """The demo stores evidence files (models_registry/demo.py): not in the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "users": User.objects.count(),
        "organization_history": Organization.history.count(),
        "membership_history": Membership.history.count(),
    }


def all_counts():
    """Rows of every table (history and many-to-many history included)."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def below(org):
    return Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth)


def test_demo_tree_data_is_consistent():
    specs = list(demo.iter_tree())
    codes = [spec["code"] for spec in specs]
    assert len(codes) == len(set(codes))
    assert all(re.match(ORG_CODE_RE, code) for code in codes)

    def check(nodes):
        for spec in nodes:
            for child in spec["children"]:
                assert child["level"] in ALLOWED_CHILD_LEVELS[Level(spec["level"])], (spec["code"], child["code"])
            check(spec["children"])

    check(demo.TREE)
    assert {code for roles in (a["roles"] for a in demo.ACCOUNTS) for code, _ in roles} <= set(codes)


@pytest.mark.django_db
def test_builds_the_accounts_with_their_roles():
    output = seed()

    for username, (code, role) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.full_name
        assert user.email == f"{username}@demo.dvk.local"
        assert user.check_password(demo.DEMO_PASSWORD)
        assert list(user.memberships.values_list("organization__code", "role")) == [(code, role)]
    chibo = Organization.objects.get(code="NA-DIENCHAU-CB-XOM05")
    assert Organization.objects.get_parent(chibo).code == "NA-DIENCHAU"
    assert chibo.kind == "party_cell" and chibo.level == Level.UNIT
    assert demo.DEMO_PASSWORD in output
    assert "demo-chibo" in output


@pytest.mark.django_db
def test_builds_a_realistic_tree():
    seed()

    nghe_an = Organization.objects.get(code="NA")
    assert nghe_an.depth == 1 and nghe_an.level == Level.PROVINCE
    dien_chau = Organization.objects.get(code="NA-DIENCHAU")
    assert Organization.objects.get_parent(dien_chau) == nghe_an and dien_chau.level == Level.COMMUNE
    assert below(dien_chau).count() >= 40
    assert below(dien_chau).filter(level=Level.VILLAGE).exists()
    assert below(dien_chau).filter(kind="party_cell", name__startswith="Chi bộ Xóm").count() >= 10
    assert below(Organization.objects.get(code="NA-HAICHAU")).count() >= 8
    assert below(Organization.objects.get(code="DNAI-DONGPHU")).count() >= 12

    vinh_long = Organization.objects.get(code="VL")
    assert {"police", "military"} <= set(Organization.objects.get_children(vinh_long).values_list("kind", flat=True))
    districts = Organization.objects.get_children(vinh_long).filter(level=Level.LEGACY_DISTRICT)
    assert districts.count() == 2
    for district in districts:
        assert Organization.objects.get_children(district).filter(level=Level.COMMUNE).count() >= 2
        assert Organization.objects.get_children(district).filter(level=Level.UNIT).exists()
    assert Organization.objects.get_children(vinh_long).filter(level=Level.COMMUNE).count() >= 2

    # treebeard's bookkeeping is right (numchild, paths) and every edge respects the level rules.
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    for org in Organization.objects.exclude(depth=1):
        assert org.level in ALLOWED_CHILD_LEVELS[Level(Organization.objects.get_parent(org).level)]


@pytest.mark.django_db
def test_a_second_run_writes_nothing():
    seed()
    first = counts()
    assert first["organization_history"] == first["organizations"]
    everything = all_counts()
    assert everything["campaigns.Campaign"] and everything["models_registry.Registration"]
    # The review meeting's tables are filled (so "no row added" covers them), history included.
    assert everything["appraisal.Meeting"] == 1 and everything["appraisal.Ballot"] == 12
    assert everything["appraisal.MeetingAttendance"] == 4 and everything["appraisal.Vote"] == 12 * 3 - 2
    assert everything["appraisal.HistoricalMeeting"] and everything["appraisal.HistoricalBallot"]

    output = seed()

    assert counts() == first
    assert all_counts() == everything  # no row anywhere: campaigns, registrations, reminders, history...
    assert "0 tạo mới" in output
    assert "Kế hoạch: 0 tạo mới, 6 đã có." in output
    assert "Bộ tiêu chí thẩm định: 0 tạo mới, 2 đã có." in output
    assert "Cuộc họp bình xét: 0 tạo mới, 1 đã có. Phiếu biểu quyết: 0 tạo mới, 12 đã có." in output


def test_feature_apps_bring_their_demo_modules_in_app_order():
    names = [module.__name__ for module in demo.demo_modules()]
    assert names == ["dvk.demo", "campaigns.demo", "models_registry.demo", "appraisal.demo"]
    # The core's own module imports no feature app (apps depend one way: dvk ← campaigns ← ...).
    source = open(demo.__file__, encoding="utf-8").read()
    assert not re.search(r"^\s*(from|import)\s+(campaigns|models_registry|appraisal)\b", source, re.M)


@pytest.mark.django_db
def test_reset_deletes_and_rebuilds():
    seed()
    first = counts()
    everything = all_counts()
    old_pk = User.objects.get(username="demo-xa").pk
    dien_chau = Organization.objects.get(code="NA-DIENCHAU")
    Organization.objects.add_child(
        dien_chau, {"code": "NA-DIENCHAU-EXTRA", "name": "Chi bộ thêm", "level": Level.UNIT, "kind": "party_cell"}
    )
    User.objects.filter(username="demo-xa").update(full_name="Đã sửa")

    output = seed("--reset")

    assert counts() == first
    assert all_counts() == everything
    assert not Organization.objects.filter(code="NA-DIENCHAU-EXTRA").exists()
    user = User.objects.get(username="demo-xa")
    assert user.pk != old_pk and user.full_name == "Hoàng Văn Bình"
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert "Đã xóa" in output and "1 cuộc họp bình xét" in output
    # The meeting was deleted with its history (the counts above include it) and built anew.
    assert "Cuộc họp bình xét: 1 tạo mới" in output and everything["appraisal.Meeting"] == 1


@pytest.mark.django_db
def test_reset_removes_what_people_added_to_the_demo():
    """Rows users made on top of the demo (a plan derived from a demo plan, registrations,
    notifications) go too, in an order PROTECT foreign keys accept."""
    seed()
    everything = all_counts()
    with scopes_disabled():
        province_2027 = Campaign.objects.get(organization__code="NA", number="21-KH/BCĐ")
        hai_chau = Organization.objects.get(code="NA-HAICHAU")
        derived = campaign_derive(
            parent=province_2027,
            organization=hai_chau,
            user=User.objects.get(username="demo-xa-ben"),
            number="30-KH/ĐU",
            title="Kế hoạch của xã Hải Châu",
            issuing_body_name="Đảng ủy xã Hải Châu",
        )
        unit = Organization.objects.get(code="NA-HAICHAU-CB-XOM02")
        initiative = Initiative.objects.create(organization=unit, name="Mô hình thêm")
        Registration.objects.create(
            campaign=derived, organization=unit, initiative=initiative, subject_type="collective", status="submitted"
        )
        Notification.objects.create(user=User.objects.get(username="demo-chibo"), title="Thêm")

    seed("--reset")

    assert all_counts() == everything
    with scopes_disabled():
        assert not Campaign.objects.filter(number="30-KH/ĐU").exists()
        assert not Initiative.objects.filter(name="Mô hình thêm").exists()


@pytest.mark.django_db
def test_reset_leaves_other_data_alone():
    other = Organization.objects.add_root(
        {"code": "HN", "name": "Thành phố Hà Nội", "level": Level.PROVINCE, "kind": "administrative"}
    )
    person = User.objects.create(username="someone")
    unit = Organization.objects.add_child(
        Organization.objects.get(pk=other.pk),
        {"code": "HN-CB1", "name": "Chi bộ 1", "level": Level.UNIT, "kind": "party_cell"},
    )
    theirs = campaign(Organization.objects.get(pk=other.pk), "01-KH/TU", target_levels=["unit"])
    [registration] = register(theirs, unit)
    seed()

    seed("--reset")

    assert Organization.objects.filter(pk=other.pk).exists()
    assert User.objects.filter(pk=person.pk).exists()
    with scopes_disabled():
        assert Campaign.objects.filter(pk=theirs.pk).exists()
        assert Registration.objects.filter(pk=registration.pk).exists()


@pytest.mark.django_db
def test_refuses_when_the_demo_switch_is_off(settings):
    settings.DVK_DEMO = False

    with pytest.raises(CommandError, match="demo switch is off"):
        seed()
    with pytest.raises(CommandError, match="demo switch is off"):
        seed("--reset")

    assert not Organization.objects.exists()
    assert not User.objects.exists()
