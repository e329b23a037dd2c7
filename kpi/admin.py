from django.contrib import admin

from .models import Breach, KPISnapshot, SLAPolicy, SupportCase, Threshold


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


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnly):
    list_display = ("solution", "case_id", "support_package", "region", "registered_at")
    list_filter = ("support_package", "region", "presale")
    search_fields = ("case_id", "solution__slug", "customer")
    list_select_related = ("solution",)


@admin.register(KPISnapshot)
class KPISnapshotAdmin(ReadOnly):
    list_display = ("solution", "period", "kpi", "numerator", "denominator", "value", "status")
    list_filter = ("kpi", "status", "period")
    list_select_related = ("solution",)


@admin.register(Breach)
class BreachAdmin(ReadOnly):
    list_display = ("solution", "period", "kpi", "action", "recorded_at")
    list_filter = ("kpi", "action")
    list_select_related = ("solution",)
