"""Writes to the tree and to roles. Each function is one user action, atomic, audited."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from .enums import ALLOWED_CHILD_LEVELS, Level
from .models import Membership, Organization, User


def generate_org_code():
    """A short code for a node created without one; stable for the node's lifetime."""
    while True:
        code = "O" + secrets.token_hex(4).upper()
        if not Organization.objects.filter(code=code).exists():
            return code


def check_level_under(parent, level):
    if level not in ALLOWED_CHILD_LEVELS[Level(parent.level)]:
        raise ValidationError(
            {
                "level": _("Không thể đặt một tổ chức cấp “%(level)s” dưới “%(parent)s” (cấp %(parent_level)s).")
                % {"level": Level(level).label, "parent": parent.name, "parent_level": parent.get_level_display()}
            }
        )


@transaction.atomic
def organization_create(*, parent, name, level, kind, code="", address=""):
    """Adds a node under `parent`. Side effects: one history row."""
    if parent.is_archived:
        raise ValidationError(_("Không thể thêm tổ chức vào một tổ chức đã lưu trữ."))
    check_level_under(parent, level)
    org = Organization(code=code or generate_org_code(), name=name, level=level, kind=kind, address=address)
    org.full_clean(exclude=["path", "depth", "numchild"])
    # treebeard locks the parent row and computes the path from its fresh state.
    return Organization.objects.add_child(parent, instance=org)


@transaction.atomic
def organization_update(*, organization, name, kind, address, expected_version=None):
    """Renames or re-describes a node; the code and the place in the tree stay.

    `expected_version` is the version the editor's form was built from: if someone saved
    in between, the edit is refused rather than overwriting theirs."""
    current = Organization.objects.select_for_update().get(pk=organization.pk)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Thông tin tổ chức vừa được người khác sửa. Hãy tải lại trang để xem bản mới rồi sửa lại.")
        )
    organization.version = current.version + 1
    organization.name = name
    organization.kind = kind
    organization.address = address
    organization.full_clean(exclude=["path", "depth", "numchild"])
    organization.save()
    return organization


@transaction.atomic
def organization_move(*, organization, new_parent):
    """Re-parents a node and its subtree. History keeps the former place: the history row
    written here records the new path and names the former parent in its change reason."""
    if new_parent.path.startswith(organization.path):
        raise ValidationError(_("Không thể chuyển một tổ chức vào chính nó hoặc tổ chức trực thuộc của nó."))
    if new_parent.is_archived:
        raise ValidationError(_("Không thể chuyển vào một tổ chức đã lưu trữ."))
    check_level_under(new_parent, organization.level)
    old_parent = Organization.objects.get_parent(organization)
    if old_parent and old_parent.pk == new_parent.pk:
        return organization
    Organization.objects.move(organization, new_parent, pos="last-child")
    organization = Organization.objects.get(pk=organization.pk)
    organization.save()
    update_change_reason(
        organization,
        _("Chuyển từ “%(old)s” sang “%(new)s”")
        % {"old": old_parent.name if old_parent else "-", "new": new_parent.name},
    )
    return organization


@transaction.atomic
def organization_archive(*, organization):
    """Archives a node. Refused while it has active children: move or archive them first."""
    if Organization.objects.filter(
        path__startswith=organization.path, depth__gt=organization.depth, archived_at__isnull=True
    ).exists():
        raise ValidationError(
            _("Tổ chức này còn tổ chức trực thuộc đang hoạt động: hãy chuyển hoặc lưu trữ chúng trước.")
        )
    organization.archived_at = timezone.now()
    organization.save()
    return organization


@transaction.atomic
def organization_unarchive(*, organization):
    parent = Organization.objects.get_parent(organization)
    if parent is not None and parent.is_archived:
        raise ValidationError(_("Tổ chức cấp trên đang lưu trữ: hãy khôi phục cấp trên trước."))
    organization.archived_at = None
    organization.save()
    return organization


@transaction.atomic
def membership_grant(*, organization, role, user=None, new_user=None):
    """Gives `user` (or a person created from `new_user` data) a role at `organization`.

    `new_user`: dict with username, full_name, email, phone, position. A new person receives
    no password: they set one through the password-reset email."""
    if user is None:
        user = User(
            username=new_user["username"],
            full_name=new_user.get("full_name", ""),
            email=new_user.get("email", ""),
            phone=new_user.get("phone", ""),
            position=new_user.get("position", ""),
        )
        user.set_unusable_password()
        user.full_clean()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same person added from two tabs at once
            raise ValidationError({"username": _("Tên đăng nhập này vừa được tạo; hãy thử lại.")}) from None
    membership, created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
    if not created:
        raise ValidationError(_("Người này đã có vai trò này tại tổ chức này."))
    return membership


@transaction.atomic
def membership_revoke(*, membership):
    membership.delete()
