from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, Invitation, User
from .selectors import STATUS_LABELS, canonical_alias


class AdminLoginForm(AdminAuthenticationForm):
    def clean_username(self):
        return canonical_alias(self.cleaned_data["username"])


# The admin's login page is a second way in; it must be throttled like the first.
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["alias"]
    list_display = ["alias", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["alias"]
    fieldsets = [
        (None, {"fields": ["alias", "password"]}),
        (_("Preferences"), {"fields": ["email", "language", "time_zone"]}),
        (
            _("Role"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["alias", "password1", "password2"]})]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """For the rare case (widening one already handed out, say): invitations
    are made, copied and revoked on the desk's own page (/invitations/)."""

    list_display = ["__str__", "status", "uses", "max_uses", "expires_at", "created_by", "link"]
    readonly_fields = ["link", "status", "uses", "created_by", "revoked_at"]
    fields = [
        "note",
        "max_uses",
        "expires_at",
        "status",
        "uses",
        "created_by",
        "revoked_at",
        "link",
    ]

    list_select_related = ["created_by"]

    @admin.display(description=_("status"))
    def status(self, invitation):
        if not invitation.pk:
            return "—"
        return STATUS_LABELS[invitation.status()]

    @admin.display(description=_("sign-up link"))
    def link(self, invitation):
        if not invitation.pk:
            return _("Shown once saved.")
        url = reverse("accounts:sign-up", args=[invitation.token])
        return format_html('<a href="{}">{}</a>', url, url)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.invitation_add(invitation=obj, by=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Browsable and filterable; never editable or deletable."""

    list_display = ["at", "actor", "action", "target_type", "target_id", "scope", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["scope", "reason", "actor__alias"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
