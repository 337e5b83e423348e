from django.urls import reverse

from dvk.models import Membership, Organization, User
from tests.conftest import client_for


def test_staff_adds_a_unit_with_a_generated_code(as_commune_staff, tree):
    response = as_commune_staff.post(
        reverse("org_add", args=["COMM"]),
        {"name": "  Chi bộ  Trạm Y tế ", "code": "", "level": "unit", "kind": "health_station", "address": ""},
    )
    assert response.status_code == 302
    child = Organization.objects.get(name="Chi bộ Trạm Y tế")
    assert Organization.objects.get_parent(child).code == "COMM"
    assert child.code.startswith("O")
    assert child.history.count() == 1


def test_add_refuses_a_province_under_a_commune(as_commune_staff, tree):
    response = as_commune_staff.post(
        reverse("org_add", args=["COMM"]), {"name": "Tỉnh lạ", "level": "province", "kind": "administrative"}
    )
    assert response.status_code == 400
    assert not Organization.objects.filter(name="Tỉnh lạ").exists()


def test_add_refuses_a_duplicate_code_with_a_message(as_commune_staff, tree):
    response = as_commune_staff.post(
        reverse("org_add", args=["COMM"]), {"name": "Trùng", "code": "SIBU", "level": "unit", "kind": "party_cell"}
    )
    assert "Mã này đã được dùng" in response.content.decode()
    assert not Organization.objects.filter(name="Trùng").exists()


def test_rename_keeps_code_and_records_history(as_commune_staff, commune_staff, tree):
    response = as_commune_staff.post(
        reverse("org_edit", args=["UNIT"]),
        {"name": "Chi bộ Xóm Một", "kind": "party_cell", "address": "Xóm 1", "version": 1},
    )
    assert response.status_code == 302
    unit = Organization.objects.get(code="UNIT")
    assert unit.name == "Chi bộ Xóm Một"
    latest = unit.history.latest()
    assert latest.history_user == commune_staff
    assert latest.name == "Chi bộ Xóm Một"


def test_province_staff_moves_a_unit_between_communes_keeping_code_and_roles(province_staff, secretary, tree):
    client = client_for(province_staff)
    response = client.post(reverse("org_move", args=["UNIT"]), {"new_parent_code": "SIBL"})
    assert response.status_code == 302
    unit = Organization.objects.get(code="UNIT")
    assert Organization.objects.get_parent(unit).code == "SIBL"
    assert Membership.objects.filter(user=secretary, organization=unit).exists()
    reasons = [h.history_change_reason for h in unit.history.all()]
    assert any("Xã Diễn Châu" in (r or "") for r in reasons)
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_commune_staff_cannot_move_a_unit_to_a_commune_they_do_not_manage(as_commune_staff, tree):
    response = as_commune_staff.post(reverse("org_move", args=["UNIT"]), {"new_parent_code": "SIBL"})
    assert response.status_code == 400
    assert "Không tìm thấy tổ chức này trong phạm vi bạn quản lý" in response.content.decode()
    assert Organization.objects.get_parent(Organization.objects.get(code="UNIT")).code == "COMM"


def test_move_into_own_subtree_is_refused(province_staff, tree):
    client = client_for(province_staff)
    response = client.post(reverse("org_move", args=["COMM"]), {"new_parent_code": "UNIT"})
    assert response.status_code == 400
    assert Organization.objects.get_parent(Organization.objects.get(code="COMM")).code == "PROV"


def test_archive_refused_while_children_are_active(province_staff, tree):
    client = client_for(province_staff)
    client.post(reverse("org_archive", args=["COMM"]))
    assert Organization.objects.get(code="COMM").archived_at is None


def test_archive_and_restore_a_leaf(as_commune_staff, tree):
    as_commune_staff.post(reverse("org_archive", args=["MTTQ"]))
    assert Organization.objects.get(code="MTTQ").archived_at is not None
    body = as_commune_staff.get(reverse("org_tree", args=["COMM"])).content.decode()
    assert 'id="node-MTTQ"' not in body
    as_commune_staff.post(reverse("org_archive", args=["MTTQ"]))
    assert Organization.objects.get(code="MTTQ").archived_at is None


def test_staff_gives_a_new_person_a_role_and_they_get_a_password_email(as_commune_staff, tree, mailoutbox):
    response = as_commune_staff.post(
        reverse("member_add", args=["UNIT"]),
        {"role": "secretary", "username": "bithu-moi", "full_name": "Nguyễn Văn An", "email": "an@example.test"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="bithu-moi")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).organization.code == "UNIT"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["an@example.test"]


def test_new_person_needs_name_and_email(as_commune_staff, tree):
    response = as_commune_staff.post(reverse("member_add", args=["UNIT"]), {"role": "secretary", "username": "x"})
    assert response.status_code == 400
    assert not User.objects.filter(username="x").exists()


def test_staff_revokes_a_role_below_and_audit_shows_it(as_commune_staff, secretary, tree):
    membership = Membership.objects.get(user=secretary)
    response = as_commune_staff.post(reverse("member_remove", args=["COMM", membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    body = as_commune_staff.get(reverse("audit", args=["COMM"]), {"kind": "membership"}).content.decode()
    assert "Xóa" in body and "bi-thu" in body


def test_member_list_of_the_subtree(as_commune_staff, secretary):
    body = as_commune_staff.get(reverse("members", args=["COMM"]), {"subtree": "1"}).content.decode()
    assert "bi-thu" in body and "can-bo-xa" in body


def test_two_editors_from_the_same_version_do_not_overwrite_each_other(as_commune_staff, province_staff, tree):
    first = {"name": "Tên của người thứ nhất", "kind": "party_cell", "address": "", "version": 1}
    second = {"name": "Tên của người thứ hai", "kind": "party_cell", "address": "", "version": 1}
    assert as_commune_staff.post(reverse("org_edit", args=["UNIT"]), first).status_code == 302
    response = client_for(province_staff).post(reverse("org_edit", args=["UNIT"]), second)
    assert response.status_code == 400
    assert "vừa được người khác sửa" in response.content.decode()
    assert Organization.objects.get(code="UNIT").name == "Tên của người thứ nhất"


def test_granting_the_same_role_twice_answers_with_a_message(as_commune_staff, secretary, tree):
    data = {"role": "secretary", "username": "bi-thu"}
    response = as_commune_staff.post(reverse("member_add", args=["UNIT"]), data)
    assert response.status_code == 400
    assert "đã có vai trò này" in response.content.decode()
    assert Membership.objects.filter(user=secretary).count() == 1


def test_explicit_guardian_grant_opens_one_organization(tree):
    from guardian.shortcuts import assign_perm

    from tests.conftest import make_user

    viewer = make_user("xem-nhat-ky")
    Membership.objects.create(user=viewer, organization=tree.commune, role="member")
    client = client_for(viewer)
    assert client.get(reverse("audit", args=["COMM"])).status_code == 403
    assign_perm("dvk.view_audit", viewer, tree.commune)
    assert client.get(reverse("audit", args=["COMM"])).status_code == 200
    assert client.get(reverse("audit", args=["UNIT"])).status_code == 403  # grants are per object
