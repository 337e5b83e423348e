from django import forms
from django.contrib.auth import get_user_model
from django.utils.choices import BlankChoiceIterator
from django.utils.translation import gettext_lazy as _

from .enums import ALLOWED_CHILD_LEVELS, Level, Role
from .models import ORG_CODE_RE, Organization
from .pickers import PickerField

# Shown in every date field (typed as dd/mm/yyyy: a phone's own picker would show the
# browser's locale, often English); the empty choice of every select.
DATE_PLACEHOLDER = _("ngày/tháng/năm")
EMPTY_CHOICE_LABEL = _("— Chọn —")
DJANGO_EMPTY_LABEL = "---------"


class BootstrapBoundField(forms.BoundField):
    """Marks a field that has errors with Bootstrap's `is-invalid`, so the input itself is
    outlined in red next to its message, however the template renders it, and whether the
    error came from the form or from a service (attach_errors)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            widget = widget or self.field.widget
            css = attrs.get("class", widget.attrs.get("class", ""))
            if "is-invalid" not in css.split():
                attrs["class"] = f"{css} is-invalid".strip()
            attrs["aria-invalid"] = "true"
        return attrs


class BootstrapMixin:
    """Gives every widget Bootstrap's class, so templates render fields plainly; a field with
    errors is outlined in red; selects start with a Vietnamese empty choice instead of
    Django's "---------"; date fields say how to type a date in Vietnamese."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                # RadioSelect covers CheckboxSelectMultiple: each box, not a text field's bar.
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.attrs["placeholder"] = DATE_PLACEHOLDER
            _vietnamese_empty_choice(field)


def _vietnamese_empty_choice(field):
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = EMPTY_CHOICE_LABEL
    elif isinstance(field, forms.ChoiceField) and isinstance(field.choices, list | BlankChoiceIterator):
        # (A callable's choices are left alone: reading them here could query at every init.
        # A model field's choices come wrapped in BlankChoiceIterator, which adds the blank.)
        choices = list(field.choices)
        if any(value == "" and label == DJANGO_EMPTY_LABEL for value, label in choices):
            field.choices = [
                (value, EMPTY_CHOICE_LABEL if value == "" and label == DJANGO_EMPTY_LABEL else label)
                for value, label in choices
            ]


class OrganizationCreateForm(BootstrapMixin, forms.ModelForm):
    code = forms.RegexField(
        regex=ORG_CODE_RE,
        required=False,
        label=_("Mã"),
        help_text=_("Để trống để hệ thống tự cấp. Mã không đổi khi đổi tên hay chuyển cấp trên."),
        error_messages={"invalid": _("Mã chỉ gồm chữ in hoa không dấu, số, '-' hoặc '_' (2-40 ký tự).")},
    )

    class Meta:
        model = Organization
        fields = ["name", "code", "level", "kind", "address"]

    def __init__(self, *args, parent, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_CHILD_LEVELS[Level(parent.level)]
        self.fields["level"].choices = [(v, label) for v, label in Level.choices if v in allowed]

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").upper()
        if code and Organization.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Mã này đã được dùng cho một tổ chức khác."))
        return code


class OrganizationUpdateForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Organization
        fields = ["name", "kind", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


class OrganizationMoveForm(BootstrapMixin, forms.Form):
    new_parent_code = PickerField(
        source="organizations",
        multiple=False,
        required=True,
        label=_("Cấp trên mới"),
        max_length=40,
        help_text=_("Gõ một phần tên (không cần dấu) hoặc mã của tổ chức sẽ quản lý tổ chức này, rồi chọn."),
    )

    def __init__(self, *args, search_root=None, **kwargs):
        super().__init__(*args, **kwargs)
        if search_root is not None:
            self.fields["new_parent_code"].bind(search_root)


class ImportUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"))


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class MembershipForm(BootstrapMixin, forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    username = forms.CharField(
        label=_("Tên đăng nhập"), max_length=150, help_text=_("Người đã có tài khoản: chỉ cần tên đăng nhập.")
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, help_text=_("Người mới nhận thư để tự đặt mật khẩu.")
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)

    def clean(self):
        data = super().clean()
        username = data.get("username")
        if not username:
            return data
        user = get_user_model().objects.filter(username=username).first()
        data["existing_user"] = user
        if user is None:
            if not data.get("full_name"):
                self.add_error("full_name", _("Người mới: hãy nhập họ và tên."))
            if not data.get("email"):
                self.add_error("email", _("Người mới: hãy nhập thư điện tử để họ tự đặt mật khẩu."))
        return data


def attach_errors(form, exc):
    """Shows a service's ValidationError on the form: each field's messages on that field,
    the rest (or a message without a field) at the top."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_status(request):
    """The status of a form page: 200 when first shown, 400 when shown again because the POST
    was refused (a success redirects before this), the same for every form."""
    return 400 if request.method == "POST" else 200


class SecondFactorCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=20,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục (dạng 1234-5678)."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
