"""Stage 4 in the staff admin: the vendor's escalation levels are edited here; declarations,
audits, remediation plans and the reminders sent are only looked at (the services and the
daily job write them)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from certportal.admin_site import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Nonconformity,
    RegionSupport,
    RemediationItem,
    RemediationPlan,
    Reminder,
    SupportAudit,
    SupportDeclaration,
    VendorEscalationLevel,
)


@admin.register(VendorEscalationLevel)
class VendorEscalationLevelAdmin(admin.ModelAdmin):
    """Levels 1–4 are the regulation's (4.2): staff rename them and assign the people."""

    list_display = ("level", "title", "people_list")
    fields = ("level", "title", "people")
    readonly_fields = ("level",)
    filter_horizontal = ("people",)

    @admin.display(description=_("people notified"))
    def people_list(self, obj):
        return ", ".join(person.get_full_name() or person.username for person in obj.people.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("people")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "people":
            # The vendor's people only: a partner's member is never on the vendor's side.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, partner__isnull=True
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionSupportInline(ReadOnlyInline):
    model = RegionSupport
    fields = ("region", "language", "hours")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupportDeclaration)
class SupportDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("application", "system_name", "escalation_name", "updated_at")
    list_select_related = ("application__solution", "application__version")
    search_fields = ("application__solution__name", "system_name", "escalation_name")
    inlines = (RegionSupportInline,)


class NonconformityInline(ReadOnlyInline):
    model = Nonconformity
    fk_name = "audit"
    fields = ("severity", "description", "closed_by_audit")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupportAudit)
class SupportAuditAdmin(ReadOnlyAdmin):
    list_display = ("solution", "held_on", "purpose", "type", "outcome", "auditor")
    list_filter = ("purpose", "type", "outcome")
    list_select_related = ("solution", "auditor")
    search_fields = ("solution__name", "summary")
    date_hierarchy = "held_on"
    inlines = (NonconformityInline,)


class RemediationItemInline(ReadOnlyInline):
    model = RemediationItem
    fields = ("description", "owner", "due_on", "done_at", "done_by", "done_note", "done_link")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RemediationPlan)
class RemediationPlanAdmin(ReadOnlyAdmin):
    list_display = ("solution", "audit", "agreed_at", "agreed_by", "closed_at")
    list_filter = (("closed_at", admin.EmptyFieldListFilter),)
    list_select_related = ("solution", "audit", "agreed_by")
    search_fields = ("solution__name",)
    inlines = (RemediationItemInline,)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("day", "recipient", "language", "sent_at")
    list_filter = ("day", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient",)
    date_hierarchy = "day"
