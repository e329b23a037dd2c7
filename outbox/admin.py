from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certportal.admin_site import ReadOnlyAdmin

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """What steps must still send or start: pending and failed deliveries, for staff."""

    list_display = ("pk", "task", "state", "attempts", "created_at", "next_attempt_at", "done_at")
    list_filter = ("state", "task")
    search_fields = ("key", "task", "last_error")
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [field.name for field in Message._meta.fields]

    @admin.action(description=_("Try again now"), permissions=["view"])
    def retry_now(self, request, queryset):
        count = services.retry(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be tried again within a minute.",
                "%(count)d messages will be tried again within a minute.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
