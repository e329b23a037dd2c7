from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certportal.admin_site import ReadOnlyAdmin

from .models import ApiToken, NotificationPreference, SecurityEvent, User
from .services import api_token_revoke


class NotificationPreferenceInline(admin.TabularInline):
    """How the person receives each kind of message (no row: immediately); a row for a
    mandatory kind is ignored."""

    model = NotificationPreference
    extra = 0


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "choice")
    list_filter = ("kind", "choice")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (NotificationPreferenceInline,)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Partner organisation"), {"fields": ("partner", "language")}),
        (_("Conflicts of interest"), {"fields": ("conflicted_partners",)}),
    )
    filter_horizontal = (*BaseUserAdmin.filter_horizontal, "conflicted_partners")
    list_display = ("username", "email", "first_name", "last_name", "partner", "is_staff")
    list_filter = (*BaseUserAdmin.list_filter, "partner")
    list_select_related = ("partner",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every partner's API tokens, without their secret (only its digest is stored, and not
    shown); staff revoke a token by deleting it, which the security log records."""

    list_display = ("name", "token_key", "user", "created", "expiry")
    list_filter = ("created", "expiry")
    list_select_related = ("user__partner",)
    search_fields = ("name", "token_key", "user__username", "user__partner__name")
    fields = ("name", "token_key", "user", "created", "expiry")
    readonly_fields = fields
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False  # partners create their own, and see the secret once

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        api_token_revoke(token=obj, by=request.user, request=request)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke_selected(self, request, queryset):
        tokens = list(queryset.select_related("user"))
        for token in tokens:
            api_token_revoke(token=token, by=request.user, request=request)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """The security log, read-only: staff read and filter it; nobody edits or deletes it."""

    list_display = ("at", "kind", "username", "ip_address", "path", "target", "detail")
    list_filter = ("kind", "at")
    search_fields = ("username", "ip_address", "path", "target", "detail")
    date_hierarchy = "at"
    list_select_related = ("user",)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Failed log-ins counted by django-axes; staff unlock an account or address here."""

    actions = ["unlock_selected"]

    @admin.action(
        description=_("Unlock: forget the selected failed log-ins"), permissions=["delete"]
    )
    def unlock_selected(self, request, queryset):
        count, _deleted = queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d record of failed log-ins cleared: the log-in is unlocked.",
                "%(count)d records of failed log-ins cleared: those log-ins are unlocked.",
                count,
            )
            % {"count": count},
        )
