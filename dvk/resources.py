"""Excel import and export of the organisation tree (django-import-export).

Columns: Mã, Tên tổ chức, Cấp, Loại, Mã cấp trên, Địa chỉ. A row's parent is the acting
organisation, a node below it, or a node created by an earlier row of the same file.
Existing codes inside the subtree are updated (renamed, re-described), never moved.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from .enums import ALLOWED_CHILD_LEVELS, Kind, Level
from .models import Organization
from .text import normalize_search

COLUMNS = ["Mã", "Tên tổ chức", "Cấp", "Loại", "Mã cấp trên", "Địa chỉ"]
REQUIRED_COLUMNS = ["Mã", "Tên tổ chức", "Cấp", "Loại", "Mã cấp trên"]


class ChoiceWidget(widgets.Widget):
    """Accepts a choice's Vietnamese label or its code, ignoring case and diacritics."""

    def __init__(self, choices, what):
        super().__init__()
        self.choices = choices
        self.what = what
        self.lookup = {}
        for value, label in choices.choices:
            self.lookup[normalize_search(value)] = value
            self.lookup[normalize_search(label)] = value

    def clean(self, value, row=None, **kwargs):
        key = normalize_search(value)
        if key in self.lookup:
            return self.lookup[key]
        raise ValueError(
            _("%(what)s “%(value)s” không hợp lệ; dùng một trong: %(allowed)s.")
            % {
                "what": self.what,
                "value": value,
                "allowed": ", ".join(str(label) for _v, label in self.choices.choices),
            }
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class OrganizationResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name="Mã")
    name = fields.Field(attribute="name", column_name="Tên tổ chức")
    level = fields.Field(attribute="level", column_name="Cấp", widget=ChoiceWidget(Level, "Cấp"))
    kind = fields.Field(attribute="kind", column_name="Loại", widget=ChoiceWidget(Kind, "Loại"))
    parent_code = fields.Field(column_name="Mã cấp trên", readonly=True)
    address = fields.Field(attribute="address", column_name="Địa chỉ")

    class Meta:
        model = Organization
        import_id_fields = ("code",)
        fields = ("code", "name", "level", "kind", "parent_code", "address")
        export_order = ("code", "name", "level", "kind", "parent_code", "address")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, root, preview=False):
        super().__init__()
        self.root = root
        # A preview checks every row and saves none: a new row is then kept unsaved, as the
        # parent later rows may name.
        self.preview = preview
        self.created = {}  # code -> Organization created (or, in a preview, checked) earlier in this file

    def get_queryset(self):
        return Organization.objects.filter(path__startswith=self.root.path)

    def dehydrate_parent_code(self, obj):
        parent = Organization.objects.get_parent(obj)
        return parent.code if parent else ""

    def before_import_row(self, row, **kwargs):
        self._row = row
        for key in ("Mã", "Mã cấp trên"):
            if row.get(key) not in (None, ""):
                row[key] = str(row[key]).strip().upper()

    def _parent_for(self, code):
        if code in self.created:
            return self.created[code]
        return self.get_queryset().filter(code=code).first()

    def _parent_changed(self, instance):
        parent = Organization.objects.get_parent(instance)
        return parent is not None and parent.code != (self._row.get("Mã cấp trên") or "")

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # An unchanged row whose parent differs must reach validation, which refuses the move.
        if instance.pk is not None and (instance.pk == self.root.pk or self._parent_changed(instance)):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors.keys(), "path", "depth", "numchild"], validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        parent_code = self._row.get("Mã cấp trên") or ""
        if instance.pk is None:
            parent = self._parent_for(parent_code) if parent_code else None
            if parent is None:
                errors.setdefault("parent_code", []).append(
                    _("Mã cấp trên “%(code)s” không thuộc “%(root)s” và không có ở các dòng phía trên.")
                    % {"code": parent_code, "root": self.root.name}
                )
            elif instance.level and instance.level not in ALLOWED_CHILD_LEVELS[Level(parent.level)]:
                errors.setdefault("level", []).append(
                    _("Không thể đặt cấp “%(level)s” dưới “%(parent)s”.")
                    % {"level": Level(instance.level).label, "parent": parent.name}
                )
            else:
                instance._import_parent = parent
        else:
            current_parent = Organization.objects.get_parent(instance)
            if instance.pk == self.root.pk:
                errors.setdefault("code", []).append(_("Không thể sửa chính tổ chức đang thao tác qua tệp nhập."))
            elif self._parent_changed(instance):
                errors.setdefault("parent_code", []).append(
                    _("“%(name)s” đang thuộc “%(parent)s”: nhập Excel không chuyển tổ chức, hãy dùng chức năng Chuyển.")
                    % {"name": instance.name, "parent": current_parent.name}
                )
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.preview:
            if is_create:
                self.created[instance.code] = instance
            return
        if is_create:
            parent = instance._import_parent
            created = Organization.objects.add_child(parent, instance=instance)
            self.created[created.code] = created
        else:
            instance.save()

    def do_instance_save(self, instance, is_create):  # pragma: no cover - save_instance handles it
        raise NotImplementedError
