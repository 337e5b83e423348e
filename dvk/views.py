import io
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from . import notifications, pickers, selectors, services, twofactor
from .access import object_or_404, require_perm
from .enums import Role
from .excel import escape_formula, xlsx_response
from .forms import (
    ImportConfirmForm,
    ImportUploadForm,
    MembershipForm,
    OrganizationCreateForm,
    OrganizationMoveForm,
    OrganizationUpdateForm,
    SecondFactorCodeForm,
    attach_errors,
    form_status,
)
from .idempotency import idempotent
from .imports import tree_import
from .links import mail_link_context
from .models import DeviceToken, Membership, Organization
from .resources import COLUMNS
from .seats import seats_of

PAGE_SIZE = 50
NEW_PERSON_FIELDS = ("username", "full_name", "email", "phone", "position")


class InvitationForm(PasswordResetForm):
    """The password-reset mail, sent to one new person who has no password yet."""

    def __init__(self, user, *args, **kwargs):
        self.invited_user = user
        super().__init__(*args, **kwargs)

    def get_users(self, email):
        return [self.invited_user]


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the link in the mail on DVK_SITE_URL rather than the request's Host."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return mail_link_context()


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def home(request):
    orgs = selectors.organizations_of(request.user)
    if len(orgs) == 1:
        code = orgs[0]["organization"].code
        # A unit secretary's work is registering the unit's models: start there.
        if orgs[0]["roles"] == [Role.SECRETARY]:
            return redirect("registration_open_campaigns", org_code=code)
        return redirect("org_tree", org_code=code)
    seats = seats_of(request.user)
    if not orgs and len(seats) == 1 and seats[0].url:
        # A board member with no role of their own: their only page is the board's.
        return redirect(seats[0].url)
    return redirect("org_picker")


@login_required
def org_picker(request):
    # The context processor also gives `my_seats`, listed after the memberships.
    return render(request, "dvk/org_picker.html", {"my_organizations": selectors.organizations_of(request.user)})


def _breadcrumbs(request, org):
    """Ancestors with a flag: linkable only where the user holds a role (else no page to show)."""
    reachable = [m.organization.path for m in selectors.memberships_of(request.user)]
    crumbs = []
    for ancestor in selectors.ancestors_of(org):
        link = request.user.is_superuser or any(ancestor.path.startswith(p) for p in reachable)
        crumbs.append({"organization": ancestor, "link": link})
    return crumbs


@require_GET
def org_tree(request, org_code):
    org = request.organization
    query = request.GET.get("q", "").strip()
    show_archived = request.GET.get("archived") == "1"
    if query:
        rows = selectors.search_subtree(org, query)
    else:
        rows = selectors.children_of(org, include_archived=show_archived)
    context = {
        "org": org,
        "breadcrumbs": _breadcrumbs(request, org),
        "page": _page(request, rows),
        "query": query,
        "show_archived": show_archived,
        "counts": _level_counts(org),
        "can_add": request.user.has_perm("dvk.add_organization", org),
        "can_change": request.user.has_perm("dvk.change_organization", org),
        "can_import": request.user.has_perm("dvk.import_organizations", org),
        "can_view_members": request.user.has_perm("dvk.view_members", org),
    }
    return render(request, "dvk/org_tree.html", context)


def _level_counts(org):
    from .enums import Level

    counts = selectors.subtree_counts_by_level(org)
    return [(level.label, counts[level.value]) for level in Level if counts.get(level.value)]


@require_GET
def org_children(request, org_code):
    """htmx partial: one node's children, for lazy expansion of the tree."""
    org = request.organization
    return render(request, "dvk/_org_children.html", {"org": org, "page": _page(request, selectors.children_of(org))})


@require_GET
def picker_search(request, org_code, source):
    """htmx partial: the options of a search picker (dvk/pickers.py) for ?q=, below the acting
    organisation, which the tenancy middleware has checked."""
    org = request.organization
    picker = pickers.source_or_404(source)
    if not picker.allowed(request, org):
        raise PermissionDenied
    query = request.GET.get("q", "")
    result = picker.search(request, org, query)
    context = {"result": result, "query": query.strip()[: pickers.MAX_QUERY], "org": org, "source": picker}
    return render(request, "dvk/_picker_options.html", context)


@require_http_methods(["GET", "POST"])
@idempotent
def org_add(request, org_code):
    parent = request.organization
    require_perm(request, "dvk.add_organization", parent)
    form = OrganizationCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organization_create(parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm “%s”.") % child.name)
            return redirect("org_tree", org_code=parent.code)
    return render(
        request,
        "dvk/org_form.html",
        {"org": parent, "form": form, "title": _("Thêm tổ chức trực thuộc")},
        status=form_status(request),
    )


@require_http_methods(["GET", "POST"])
@idempotent
def org_edit(request, org_code):
    org = request.organization
    require_perm(request, "dvk.change_organization", org)
    form = OrganizationUpdateForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.organization_update(organization=org, expected_version=data.pop("version"), **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("org_tree", org_code=org.code)
    return render(
        request,
        "dvk/org_form.html",
        {"org": org, "form": form, "title": _("Sửa thông tin tổ chức")},
        status=form_status(request),
    )


@require_http_methods(["GET", "POST"])
@idempotent
def org_move(request, org_code):
    org = request.organization
    require_perm(request, "dvk.move_organization", org)
    # The picker searches the first organisation the user manages; the check below decides.
    managed = [m.organization for m in selectors.memberships_of(request.user) if m.role == "staff"]
    form = OrganizationMoveForm(request.POST or None, search_root=managed[0] if managed else None)
    if request.method == "POST" and form.is_valid():
        new_parent = Organization.objects.filter(code=form.cleaned_data["new_parent_code"]).first()
        # The same message for "no such code" and "not yours": no existence leak.
        if new_parent is None or not request.user.has_perm("dvk.add_organization", new_parent):
            form.add_error("new_parent_code", _("Không tìm thấy tổ chức này trong phạm vi bạn quản lý."))
        else:
            try:
                services.organization_move(organization=org, new_parent=new_parent)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã chuyển “%(org)s” về “%(parent)s”.") % {"org": org.name, "parent": new_parent.name}
                )
                return redirect("org_tree", org_code=org.code)
    return render(request, "dvk/org_move.html", {"org": org, "form": form}, status=form_status(request))


@require_POST
@idempotent
def org_archive(request, org_code):
    org = request.organization
    require_perm(request, "dvk.archive_organization", org)
    try:
        if org.is_archived:
            services.organization_unarchive(organization=org)
            messages.success(request, _("Đã khôi phục “%s”.") % org.name)
        else:
            services.organization_archive(organization=org)
            messages.success(request, _("Đã lưu trữ “%s”.") % org.name)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("org_tree", org_code=org.code)


def _pending_dir():
    path = Path(settings.MEDIA_ROOT) / "imports" / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _claim_pending(token):
    """The previewed file's content, taken once: of confirms sent together only the one that
    removes the file goes on; the others get None."""
    stored = _pending_dir() / f"{token}.xlsx"
    try:
        content = stored.read_bytes()
        stored.unlink()
    except FileNotFoundError:
        return None
    return content


@require_http_methods(["GET", "POST"])
@idempotent
def org_import(request, org_code):
    """Upload → preview (nothing written) → confirm → written whole, or not at all."""
    org = request.organization
    require_perm(request, "dvk.import_organizations", org)
    report = None
    confirm_form = None
    upload_form = ImportUploadForm()
    if request.method == "POST" and "token" in request.POST:
        confirm_form = ImportConfirmForm(request.POST)
        pending = request.session.get("dvk_pending_import") or {}
        valid = confirm_form.is_valid() and pending.get("token") == confirm_form.cleaned_data["token"]
        if not valid or pending.get("org") != org.code:
            messages.error(request, _("Phiên nhập đã hết hạn; hãy tải tệp lên lại."))
            return redirect("org_import", org_code=org.code)
        content = _claim_pending(pending["token"])
        request.session.pop("dvk_pending_import", None)
        if content is None:
            # Another confirm of the same preview (a double click, a retry, a second tab) took it.
            messages.info(request, _("Tệp này đã được nhập từ lần xác nhận trước; không nhập lại."))
            return redirect("org_tree", org_code=org.code)
        upload = SimpleUploadedFile(pending["name"], content)
        report = tree_import(root=org, upload=upload, user=request.user, dry_run=False)
        if report.written:
            messages.success(
                request,
                _("Đã nhập xong: %(new)s tổ chức mới, %(update)s tổ chức cập nhật.")
                % {"new": report.count("new"), "update": report.count("update")},
            )
            return redirect("org_tree", org_code=org.code)
    elif request.method == "POST":
        upload_form = ImportUploadForm(request.POST, request.FILES)
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            report = tree_import(root=org, upload=upload, user=request.user, dry_run=True)
            if not report.has_errors:
                token = uuid.uuid4().hex
                upload.seek(0)
                (_pending_dir() / f"{token}.xlsx").write_bytes(upload.read())
                request.session["dvk_pending_import"] = {"token": token, "org": org.code, "name": upload.name[:200]}
                confirm_form = ImportConfirmForm(initial={"token": token})
    status = 400 if report is not None and report.has_errors else 200
    return render(
        request,
        "dvk/org_import.html",
        {"org": org, "upload_form": upload_form, "confirm_form": confirm_form, "report": report, "columns": COLUMNS},
        status=status,
    )


def _xlsx_response(rows, headers, filename):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([escape_formula(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return xlsx_response(buffer.getvalue(), filename)


@require_GET
def org_import_template(request, org_code):
    org = request.organization
    require_perm(request, "dvk.import_organizations", org)
    example = [["VD-CB-01", "Chi bộ Thôn 1", "Đơn vị, chi bộ, đoàn thể", "Chi bộ, đảng bộ cơ sở", org.code, ""]]
    return _xlsx_response(example, COLUMNS, f"mau-nhap-to-chuc-{org.code}.xlsx")


@require_GET
def org_export(request, org_code):
    org = request.organization
    require_perm(request, "dvk.import_organizations", org)
    nodes = list(selectors.subtree_of(org).filter(depth__gt=org.depth).order_by("path"))
    by_path = {org.path: org.code, **{n.path: n.code for n in nodes}}
    rows = [
        [n.code, n.name, n.get_level_display(), n.get_kind_display(), by_path.get(n.path[: -n.steplen], ""), n.address]
        for n in nodes
    ]
    return _xlsx_response(rows, COLUMNS, f"cay-to-chuc-{org.code}.xlsx")


@require_GET
def members(request, org_code):
    org = request.organization
    require_perm(request, "dvk.view_members", org)
    include_subtree = request.GET.get("subtree") == "1"
    page = _page(request, selectors.members_of(org, include_subtree=include_subtree))
    can_manage = request.user.has_perm("dvk.manage_members", org)
    return render(
        request,
        "dvk/members.html",
        {
            "org": org,
            "page": page,
            "include_subtree": include_subtree,
            "can_manage": can_manage,
            "resettable": _second_factor_resettable(request.user, page) if can_manage else set(),
        },
    )


def _second_factor_resettable(actor, memberships):
    """Rows whose person has a second factor the actor may reset (two queries for a page)."""
    people = {m.user_id: m.user for m in memberships}
    with_device = twofactor.users_with_device(people)
    selectors.load_memberships(people.values())
    return {
        m.pk
        for m in memberships
        if m.user_id in with_device and actor.has_perm("dvk.reset_second_factor", people[m.user_id])
    }


@require_http_methods(["GET", "POST"])
@idempotent
def member_add(request, org_code):
    org = request.organization
    require_perm(request, "dvk.manage_members", org)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = data.get("existing_user")
        try:
            membership = services.membership_grant(
                organization=org,
                role=data["role"],
                user=user,
                new_user=None if user else {k: data[k] for k in NEW_PERSON_FIELDS},
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if user is None:
                invitation = InvitationForm(membership.user, {"email": membership.user.email})
                if invitation.is_valid():
                    invitation.save(
                        request=request,
                        use_https=request.is_secure(),
                        subject_template_name="registration/invitation_subject.txt",
                        email_template_name="registration/invitation_email.txt",
                        extra_email_context={
                            "organization": org,
                            "role": membership.get_role_display(),
                            **mail_link_context(),
                        },
                    )
            messages.success(request, _("Đã giao vai trò cho %s.") % membership.user)
            return redirect("members", org_code=org.code)
    return render(request, "dvk/member_form.html", {"org": org, "form": form}, status=form_status(request))


@require_POST
@idempotent
def member_remove(request, org_code, membership_id):
    org = request.organization
    membership = object_or_404(request, selectors.members_of(org, include_subtree=True), pk=membership_id)
    require_perm(request, "dvk.manage_members", membership.organization)
    if membership.user_id == request.user.id and membership.role == "staff":
        messages.error(request, _("Bạn không thể tự thu hồi vai trò cán bộ của chính mình."))
    else:
        services.membership_revoke(membership=membership)
        messages.success(request, _("Đã thu hồi vai trò."))
    return redirect("members", org_code=org.code)


@require_GET
def audit(request, org_code):
    org = request.organization
    require_perm(request, "dvk.view_audit", org)
    org_history = Organization.history.filter(path__startswith=org.path).select_related("history_user")
    membership_history = Membership.history.filter(organization__path__startswith=org.path).select_related(
        "history_user", "user", "organization"
    )
    kind = request.GET.get("kind", "org")
    if kind == "second_factor":
        rows = selectors.second_factor_resets_in(org)
    else:
        rows = (membership_history if kind == "membership" else org_history).order_by("-history_date")
    page = _page(request, rows)
    return render(request, "dvk/audit.html", {"org": org, "page": page, "kind": kind})


@login_required
@require_GET
def devices(request):
    tokens = DeviceToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-created_at")
    return render(request, "dvk/devices.html", {"tokens": tokens, "now": timezone.now()})


@login_required
@require_POST
@idempotent
def device_revoke(request, pk):
    token = object_or_404(request, DeviceToken.objects.filter(user=request.user, revoked_at__isnull=True), pk=pk)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("Đã thu hồi mã truy cập của thiết bị “%s”.") % token.name)
    return redirect(reverse("devices"))


@login_required
@require_GET
def notification_list(request):
    page = _page(request, notifications.notifications_of(request.user))
    return render(request, "dvk/notifications.html", {"page": page})


@login_required
@require_POST
@idempotent
def notification_read(request, pk):
    """Marks the user's own notification read and opens what it points to."""
    notification = notifications.notification_of(request.user, pk)
    if notification is None:
        raise Http404
    notifications.notification_mark_read(notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications")
    return redirect(target)


@login_required
@require_POST
@idempotent
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Đã đánh dấu %s thông báo là đã đọc.") % count)
    return redirect("notifications")


# The second factor (dvk.twofactor).


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("home")
    return target


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def second_factor(request):
    """Asks a staff user for the code of their authenticator app (or a recovery code)."""
    user = request.user
    if not twofactor.has_device(user):
        return redirect(f"{reverse('second_factor_setup')}?{request.GET.urlencode()}")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        held_back = twofactor.must_wait(user)
        device = twofactor.device_for_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã khôi phục; còn %s mã. Hãy tạo mã mới nếu sắp hết.")
                    % twofactor.recovery_codes_left(user),
                )
            return redirect(_next(request))
        if held_back:
            form.add_error("code", _("Vừa nhập sai; hãy chờ vài giây rồi nhập mã mới nhất."))
        else:
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy thử mã mới nhất trong ứng dụng."))
    context = {"form": form, "next": _next(request)}
    return render(request, "dvk/second_factor.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def second_factor_setup(request):
    """Sets up an authenticator app: the QR code, then one code from the app to confirm."""
    user = request.user
    if not twofactor.is_staff_account(user):
        messages.info(request, _("Tài khoản của bạn không cần xác thực hai lớp."))
        return redirect("home")
    if twofactor.has_device(user):
        # Set up already: a new phone is a reset by staff of a higher level, then this page.
        if user.is_verified():
            messages.info(request, _("Xác thực hai lớp đã bật cho tài khoản này."))
            return redirect("second_factor_recovery")
        return redirect(f"{reverse('second_factor')}?{request.GET.urlencode()}")
    device = twofactor.pending_device(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.device_confirm(device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session["dvk_recovery_codes"] = codes
            messages.success(request, _("Đã bật xác thực hai lớp."))
            return redirect(f"{reverse('second_factor_recovery')}?{urlencode({'next': _next(request)})}")
        form.add_error("code", _("Mã không khớp. Hãy kiểm tra giờ trên điện thoại và nhập mã mới nhất."))
    context = {
        "form": form,
        "qr": twofactor.qr_svg(device),
        "secret": twofactor.secret_text(device),
        "next": _next(request),
    }
    return render(request, "dvk/second_factor_setup.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def second_factor_recovery(request):
    """New recovery codes, shown once; a verified user may make new ones (the old stop working)."""
    if request.method == "POST":
        if not request.user.is_verified():
            raise PermissionDenied(_("Hãy nhập mã xác thực trước."))
        request.session["dvk_recovery_codes"] = twofactor.recovery_codes_issue(user=request.user)
        return redirect("second_factor_recovery")
    codes = request.session.pop("dvk_recovery_codes", None)
    context = {
        "codes": codes,
        "left": twofactor.recovery_codes_left(request.user),
        "has_device": twofactor.has_device(request.user),
        "next": _next(request),
    }
    return render(request, "dvk/second_factor_recovery.html", context)


@require_POST
@idempotent
def member_second_factor_reset(request, org_code, membership_id):
    """Staff of a higher level reset the lost second factor of a person of their subtree."""
    org = request.organization
    membership = object_or_404(request, selectors.members_of(org, include_subtree=True), pk=membership_id)
    person = membership.user
    require_perm(request, "dvk.reset_second_factor", person)
    twofactor.second_factor_reset(user=person, by=request.user, organization=org)
    messages.success(
        request, _("Đã đặt lại xác thực hai lớp của %s: lần đăng nhập tới, họ cài lại ứng dụng xác thực.") % person
    )
    return redirect("members", org_code=org.code)
