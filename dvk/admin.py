from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.admin import OTPAdminSite
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import DeviceToken, Membership, Organization, User

# The admin asks for the second factor too (dvk.twofactor), on top of SecondFactorMiddleware.
admin.site.__class__ = OTPAdminSite


@admin.register(User)
class DvkUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("DVK", {"fields": ("full_name", "phone", "position")}),)
    list_display = ("username", "full_name", "email", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email")


@admin.register(Organization)
class OrganizationAdmin(GuardedModelAdmin, TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organization, exclude=("search_name",))
    list_display = ("name", "code", "level", "kind", "archived_at")
    search_fields = ("name", "code", "search_name")
    list_filter = ("level", "kind")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__name", "organization__code")
    raw_id_fields = ("user", "organization")


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
