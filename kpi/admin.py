"""Stage 5 in the staff admin: SLA policies and KPI targets are edited here (a target changes by
a new row); what partners send and what the jobs compute is only looked at."""

from django.contrib import admin

from applications.admin import ReadOnlyAdmin

from .models import (
    Breach,
    Customer,
    KPISnapshot,
    KPIWarning,
    MonthReopening,
    NPSAnswer,
    SLAPolicy,
    SupportCase,
    Threshold,
)


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ("package", "priority", "response_hours", "resolution_hours", "around_the_clock")
    list_filter = ("package", "around_the_clock")


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    """A target is changed by adding a row: the history of every target stays."""

    list_display = ("kpi", "comparison", "value", "valid_from", "changed_by", "note")
    list_filter = ("kpi",)
    fields = ("kpi", "comparison", "value", "valid_from", "note")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "solution",
        "case_id",
        "support_package",
        "region",
        "registered_at",
        "arrived_late_at",
    )
    list_filter = ("support_package", "region", "presale")
    search_fields = ("case_id", "solution__slug", "customer")
    list_select_related = ("solution",)


@admin.register(KPISnapshot)
class KPISnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "solution",
        "period",
        "kpi",
        "numerator",
        "denominator",
        "value",
        "status",
        "provisional",
    )
    list_filter = ("kpi", "status", "provisional", "period")
    list_select_related = ("solution",)


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdmin):
    list_display = ("solution", "period", "kpi", "action", "basis", "recorded_at")
    list_filter = ("kpi", "action", "basis")
    list_select_related = ("solution",)


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("solution", "customer_id", "installed_version", "active_until")
    search_fields = ("customer_id", "solution__slug")
    list_select_related = ("solution",)


@admin.register(NPSAnswer)
class NPSAnswerAdmin(ReadOnlyAdmin):
    list_display = ("solution", "half_year", "respondent", "score", "answered_at")
    list_filter = ("half_year",)
    search_fields = ("respondent", "solution__slug")
    list_select_related = ("solution",)


@admin.register(KPIWarning)
class KPIWarningAdmin(ReadOnlyAdmin):
    list_display = ("solution", "period", "kpi", "recipient", "recorded_at", "sent_at")
    list_filter = ("kpi", "period")
    search_fields = ("recipient", "solution__slug")
    list_select_related = ("solution",)


@admin.register(MonthReopening)
class MonthReopeningAdmin(ReadOnlyAdmin):
    list_display = ("solution", "period", "by", "at", "reason")
    list_select_related = ("solution", "by")
