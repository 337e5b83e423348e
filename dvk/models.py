import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from .enums import Kind, Level, Role
from .scoping import ProducedByOrganization, TenantManager
from .text import clean_text, normalize_search

ORG_CODE_RE = r"^[A-Z0-9][A-Z0-9_-]{1,39}$"


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    # Made by seed_demo: exempt from the second factor while the demo switch is on (dvk.twofactor).
    demo_account = models.BooleanField(default=False, editable=False)
    # The shown name, lower-case and without diacritics: what the people picker matches
    # ("nguyen thi lan" finds "Nguyễn Thị Lan"). Filled by save(); bulk creations fill it too.
    search_name = models.CharField(max_length=150, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.full_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        self.search_name = user_search_name(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        return str(self)


def user_search_name(user):
    """The search column of a user's name (full name, else Django's first and last names)."""
    return normalize_search(user.full_name or f"{user.first_name} {user.last_name}")[:150]


class Organization(MP_Node):
    """A node of the one tree: province, commune, unit or village. Each node is a tenant.

    `code` is what URLs carry; it never changes, whatever renames or moves happen.
    """

    steplen = 4
    node_order_by = None

    code = models.CharField(
        _("mã"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(ORG_CODE_RE, _("Mã chỉ gồm chữ in hoa không dấu, số, '-' hoặc '_' (2-40 ký tự)."))],
    )
    name = models.CharField(_("tên"), max_length=255)
    search_name = models.CharField(max_length=255, db_index=True, editable=False, default="")
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Incremented by every edit through the services: two people editing the same node from
    # stale forms cannot silently overwrite each other (optimistic locking).
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["numchild", "search_name", "version"])

    class Meta:
        verbose_name = _("tổ chức")
        verbose_name_plural = _("tổ chức")
        permissions = [
            ("move_organization", _("Chuyển tổ chức sang cấp trên khác")),
            ("archive_organization", _("Lưu trữ tổ chức")),
            ("import_organizations", _("Nhập cây tổ chức từ Excel")),
            ("manage_members", _("Quản lý người dùng và vai trò")),
            ("view_members", _("Xem người dùng và vai trò")),
            ("view_audit", _("Xem nhật ký thay đổi")),
        ]
        indexes = [
            # Prefix search (path LIKE 'xxxx%') uses this index on PostgreSQL whatever the collation.
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.search_name = normalize_search(self.name)
        super().save(*args, **kwargs)

    @property
    def is_archived(self):
        return self.archived_at is not None

    def ancestor_paths(self):
        """Paths of this node and its ancestors, root first (no query)."""
        return [self.path[: i * self.steplen] for i in range(1, self.depth + 1)]


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.organization}"


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """django-guardian explicit grant on one organisation (direct foreign key, not generic)."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class DeviceHasToken(Exception):
    """The device already has an active token (its key was shown once and cannot be again)."""


def _hash_token(key):
    return hashlib.sha256(key.encode()).hexdigest()


class DeviceTokenQuerySet(models.QuerySet):
    def usable(self):
        cutoff = timezone.now() - timezone.timedelta(days=settings.DVK_TOKEN_IDLE_DAYS)
        return self.filter(revoked_at__isnull=True, last_used_at__gte=cutoff)


class DeviceToken(models.Model):
    """A per-device API token for tablets. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_tokens")
    name = models.CharField(_("tên thiết bị"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = DeviceTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("mã truy cập thiết bị")
        verbose_name_plural = _("mã truy cập thiết bị")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at__isnull=True), name="device_token_one_active"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name):
        """Create a token; returns (token, key). The key is not stored and cannot be shown again,
        so a repeated request cannot be answered with the first key: while a device has an
        active token, another for the same device name raises DeviceHasToken (one active token
        per device name, a database constraint). An expired one no longer counts."""
        key = secrets.token_urlsafe(32)
        now = timezone.now()
        with transaction.atomic():
            idle = now - timezone.timedelta(days=settings.DVK_TOKEN_IDLE_DAYS)
            cls.objects.filter(user=user, name=name, revoked_at__isnull=True, last_used_at__lt=idle).update(
                revoked_at=now
            )
            try:
                with transaction.atomic():
                    token = cls.objects.create(
                        user=user, name=name, prefix=key[:8], key_hash=_hash_token(key), last_used_at=now
                    )
            except IntegrityError:
                raise DeviceHasToken(name) from None
        return token, key

    @classmethod
    def find(cls, key):
        return cls.objects.usable().select_related("user").filter(key_hash=_hash_token(key)).first()

    @property
    def expires_at(self):
        return self.last_used_at + timezone.timedelta(days=settings.DVK_TOKEN_IDLE_DAYS)


class TreeImport(ProducedByOrganization, models.Model):
    """A completed Excel import of organisations under one organisation: who, when, what."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="tree_imports")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("lần nhập cây tổ chức")
        verbose_name_plural = _("các lần nhập cây tổ chức")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} → {self.organization}"


class Notification(models.Model):
    """An entry in a user's notification centre (reminders, escalations, decisions)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title


class IdempotentWrite(models.Model):
    """A write a person or a tablet may send twice, applied once (dvk.idempotency): the key
    its client made, a digest of what it asked, and what it answered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("yêu cầu ghi một lần")
        verbose_name_plural = _("yêu cầu ghi một lần")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_write_once_per_key")]
        indexes = [models.Index(fields=["user", "created_at"], name="idempotent_write_age_idx")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class SecondFactorReset(ProducedByOrganization, models.Model):
    """A lost second factor reset by staff of a higher level (dvk.twofactor): the audit of it,
    seen from the organisation the staff acted for upward."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reset_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation the resetting staff acted for: the audit page of its subtree lists it.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("đặt lại xác thực hai lớp")
        verbose_name_plural = _("đặt lại xác thực hai lớp")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} ← {self.reset_by} ({self.created_at:%d/%m/%Y})"
