from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certportal.admin_site import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import Digest, Message, Notice


class NoticeInline(ReadOnlyInline):
    """The recipients who chose not to receive this message at once."""

    model = Notice
    fields = ("recipient", "kind", "decision", "subject", "digest")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """What steps must still send or start: pending and failed deliveries, for staff; and, per
    message, who chose a digest (held) or none (skipped)."""

    inlines = (NoticeInline,)

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


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    """Messages not sent at once by their recipient's choice: held for the daily digest,
    sent in one, or skipped."""

    list_display = ("pk", "recipient", "kind", "decision", "subject", "created_at", "digest")
    list_filter = ("decision", "kind")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    list_select_related = ("digest",)
    readonly_fields = [field.name for field in Notice._meta.fields]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    """The daily digests: one per person and day, and when each was sent."""

    list_display = ("day", "recipient", "language", "created_at", "sent_at")
    list_filter = ("day", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient", "subject")
    readonly_fields = [field.name for field in Digest._meta.fields]
    inlines = (NoticeInline,)
