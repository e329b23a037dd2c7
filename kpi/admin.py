"""Stage 5 in the staff admin: SLA policies and KPI targets are edited here (each changes by a
new row, so its history stays); what partners send and what the jobs compute is only looked at."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.enums import Role
from certportal.admin_site import ReadOnlyAdmin

from . import runs
from .customers import CUSTOMER_UPDATE_FIELDS
from .models import (
    Breach,
    Customer,
    EvaluationRun,
    KPISnapshot,
    KPIWarning,
    MonthReopening,
    NPSAnswer,
    NPSInvitation,
    NPSSurvey,
    RunItem,
    SLAPolicy,
    SupportCase,
    Threshold,
)


class AddOnlyAdmin(admin.ModelAdmin):
    """Data with a history: a change is a new row, signed by who added it; nothing is edited
    or deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)


class SLAPolicyForm(forms.ModelForm):
    valid_from = forms.SplitDateTimeField(
        label=_("valid from"),
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text=_("When the policy takes effect: now when left blank, never in the past."),
    )

    class Meta:
        model = SLAPolicy
        fields = (
            "package",
            "priority",
            "response_hours",
            "resolution_hours",
            "around_the_clock",
            "valid_from",
            "note",
        )

    def clean_valid_from(self):
        """Cases already stored were judged by the policy then in force: a policy starts now
        or later, never earlier."""
        now = timezone.now()
        valid_from = self.cleaned_data.get("valid_from") or now
        if valid_from < now:
            raise forms.ValidationError(
                _("A policy takes effect now or later: cases already registered keep theirs.")
            )
        return valid_from


@admin.register(SLAPolicy)
class SLAPolicyAdmin(AddOnlyAdmin):
    """A policy is changed by adding a row from a moment on: a case is judged by the policy in
    force when it was registered, and the history of every policy stays."""

    form = SLAPolicyForm
    list_display = (
        "package",
        "priority",
        "response_hours",
        "resolution_hours",
        "around_the_clock",
        "valid_from",
        "changed_by",
        "note",
    )
    list_filter = ("package", "around_the_clock")


@admin.register(Threshold)
class ThresholdAdmin(AddOnlyAdmin):
    """A target is changed by adding a row: the history of every target stays."""

    list_display = ("kpi", "comparison", "value", "valid_from", "changed_by", "note")
    list_filter = ("kpi",)
    fields = ("kpi", "comparison", "value", "valid_from", "note")


@admin.register(SupportCase)
class SupportCaseAdmin(ReadOnlyAdmin):
    list_display = (
        "solution",
        "case_id",
        "customer",
        "support_package",
        "region",
        "registered_at",
        "response_due_at",
        "resolution_due_at",
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
    list_display = ("solution", "period", "kpi", "action", "basis", "figures", "recorded_at")
    list_filter = ("kpi", "action", "basis")
    list_select_related = ("solution",)
    exclude = ("detail",)
    readonly_fields = ("figures",)

    @admin.display(description=_("figures"))
    def figures(self, breach):
        return breach.detail_text


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("solution", "customer_id", *CUSTOMER_UPDATE_FIELDS)
    search_fields = ("customer_id", "solution__slug")
    list_select_related = ("solution",)


@admin.register(NPSAnswer)
class NPSAnswerAdmin(ReadOnlyAdmin):
    list_display = ("solution", "half_year", "respondent", "score", "source", "answered_at")
    list_filter = ("half_year", "source")
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


@admin.register(NPSSurvey)
class NPSSurveyAdmin(ReadOnlyAdmin):
    list_display = ("solution", "half_year", "started_by", "started_at", "reminded_at")
    list_filter = ("half_year",)
    list_select_related = ("solution", "started_by")


@admin.register(NPSInvitation)
class NPSInvitationAdmin(ReadOnlyAdmin):
    list_display = ("survey", "customer_id", "email", "sent_at", "reminded_at", "answered_at")
    search_fields = ("customer_id", "email", "survey__solution__slug")
    list_select_related = ("survey__solution",)


class CompletedFilter(admin.SimpleListFilter):
    title = _("complete")
    parameter_name = "complete"

    def lookups(self, request, model_admin):
        return [("no", _("No: solutions not done")), ("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(completed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(completed_at__isnull=False)
        return queryset


class UndoneItemInline(admin.TabularInline):
    """The solutions of a run not done yet, with the error of the last failure."""

    model = RunItem
    verbose_name_plural = _("Solutions not done")
    fields = ("solution", "state", "attempts", "next_attempt_at", "error")
    readonly_fields = fields
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state=RunItem.State.DONE)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    """Each run of a KPI job and how far it got: an incomplete run lists the solutions it has
    not evaluated, and why; the sweep completes it, or staff ask for it now."""

    list_display = (
        "period",
        "kind",
        "as_of",
        "started_at",
        "completed_at",
        "pending_count",
        "failed_count",
        "done_count",
    )
    list_filter = (CompletedFilter, "kind")
    search_fields = ("period",)
    date_hierarchy = "started_at"
    readonly_fields = ("key", "kind", "period", "as_of", "started_at", "completed_at")
    inlines = [UndoneItemInline]
    actions = ["complete_now"]

    def get_queryset(self, request):
        return runs.with_counts(super().get_queryset(request))

    @admin.display(description=_("pending"), ordering="pending")
    def pending_count(self, run):
        return run.pending

    @admin.display(description=_("failed"), ordering="failed")
    def failed_count(self, run):
        return run.failed

    @admin.display(description=_("done"), ordering="done")
    def done_count(self, run):
        return run.done

    def has_complete_permission(self, request) -> bool:
        """Analysts and leaders (they run the programme's jobs); other staff only look."""
        user = request.user
        return user.is_superuser or user.has_role(Role.ANALYST) or user.has_role(Role.LEADER)

    @admin.action(description=_("Complete now"), permissions=["complete"])
    def complete_now(self, request, queryset):
        sent = runs.retry(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d chunk of solutions was handed to the workers.",
                "%(count)d chunks of solutions were handed to the workers.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )
