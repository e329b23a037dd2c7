"""DoD administration: editions of the criteria, and the review records, read-only.

An edition is never edited in place: "New edition" copies the one in force with the changes
made on its form (dod.services.criteria_revise). Requests already pinned keep theirs.
"""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .forms import EditionForm, RevisionFormSet
from .models import (
    CriteriaVersion,
    Criterion,
    CriterionCheck,
    Finding,
    FindingAnswer,
    ReviewRound,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Review records are written by the review services only; here they are read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    # Shown to whoever may view the parent record.
    parent_permission = ""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(self.parent_permission)


# --- Editions of the criteria -------------------------------------------------------------------


# Each criterion in both languages, side by side.
CRITERION_FIELDS = (
    "number",
    "title",
    "title_ru",
    "how_checked",
    "how_checked_ru",
    "external_services_only",
    "reviewer",
)


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = CRITERION_FIELDS
    readonly_fields = fields
    parent_permission = "dod.view_criteriaversion"


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(ReadOnlyAdmin):
    change_list_template = "dod/admin_edition_changelist.html"
    list_display = ("number", "note", "created_by", "created_at", "pinned_requests")
    list_display_links = ("number",)
    list_select_related = ("created_by",)
    fields = ("number", "note", "created_by", "created_at", "pinned_requests")
    readonly_fields = fields
    inlines = (CriterionInline,)

    def get_queryset(self, request):
        pinned = (
            apps.get_model("workflow", "Application")
            .objects.filter(criteria_version=OuterRef("pk"))
            .order_by()
            .values("criteria_version")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(pinned=Coalesce(Subquery(pinned, output_field=IntegerField()), 0))
        )

    @admin.display(description=gettext_lazy("requests pinned to it"), ordering="pinned")
    def pinned_requests(self, edition):
        return edition.pinned

    def get_urls(self):
        return [
            path(
                "new/",
                self.admin_site.admin_view(self.new_edition_view),
                name="dod_criteriaversion_new",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_revise": request.user.has_perm("dod.add_criteriaversion"),
        }
        return super().changelist_view(request, extra_context)

    def new_edition_view(self, request):
        """The ten criteria of the edition in force, to edit into edition N+1, with a note."""
        if not request.user.has_perm("dod.add_criteriaversion"):
            raise PermissionDenied
        current = CriteriaVersion.in_force()
        criteria = list(current.criteria.order_by("number"))
        formset = RevisionFormSet(request.POST or None, criteria=criteria, prefix="criteria")
        form = EditionForm(request.POST or None, initial={"seen_edition": current.number})
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            changes = formset.changes()
            if form.cleaned_data["seen_edition"] != current.number:
                form.add_error(
                    None,
                    _(
                        "Edition %(number)s was made while you were editing. Nothing was saved: "
                        "reload the page to start from it."
                    )
                    % {"number": current.number},
                )
            elif not changes:
                form.add_error(
                    None, _("Nothing changed: edit at least one criterion for a new edition.")
                )
            else:
                try:
                    edition = services.criteria_revise(
                        by=request.user, changes=changes, note=form.cleaned_data["note"].strip()
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    self.message_user(
                        request,
                        _(
                            "Edition %(number)s is in force. Requests already in review keep "
                            "the edition they were pinned to."
                        )
                        % {"number": edition.number},
                    )
                    return redirect(reverse("admin:dod_criteriaversion_change", args=[edition.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New DoD edition"),
            "current": current,
            "next_number": current.number + 1,
            "formset": formset,
            "form": form,
            "changelist_url": reverse("admin:dod_criteriaversion_changelist"),
        }
        return TemplateResponse(request, "dod/admin_new_edition.html", context)


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "version", "reviewer", "external_services_only")
    list_filter = ("version", "reviewer", "external_services_only")
    list_select_related = ("version",)
    fields = ("version", *CRITERION_FIELDS)
    readonly_fields = fields


# --- Review records -------------------------------------------------------------------------------


class CheckInline(ReadOnlyInline):
    model = CriterionCheck
    fields = ("criterion", "result", "comment", "checked_by", "checked_at")
    readonly_fields = fields
    parent_permission = "dod.view_reviewround"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "checked_by")


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = (
        "application",
        "number",
        "criteria_version",
        "started_at",
        "started_by",
        "closed_at",
        "outcome",
    )
    list_filter = ("outcome", "criteria_version")
    list_select_related = ("application__version__solution", "criteria_version", "started_by")
    search_fields = ("application__solution__name", "application__solution__partner__name")
    fields = (
        "application",
        "number",
        "criteria_version",
        "submitted_at",
        "started_at",
        "started_by",
        "closed_at",
        "outcome",
    )
    readonly_fields = fields
    inlines = (CheckInline,)


@admin.register(CriterionCheck)
class CriterionCheckAdmin(ReadOnlyAdmin):
    list_display = (
        "round",
        "application",
        "criterion_number",
        "result",
        "checked_by",
        "checked_at",
    )
    list_filter = ("result",)
    list_select_related = ("round__application__version__solution", "criterion", "checked_by")
    fields = ("round", "criterion", "result", "comment", "checked_by", "checked_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("certification request"))
    def application(self, check):
        return check.round.application

    @admin.display(description=gettext_lazy("criterion"), ordering="criterion__number")
    def criterion_number(self, check):
        return check.criterion.number


class AnswerInline(ReadOnlyInline):
    model = FindingAnswer
    fields = ("text", "by", "at")
    readonly_fields = fields
    parent_permission = "dod.view_finding"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = (
        "application",
        "severity",
        "criterion_number",
        "summary",
        "status",
        "round",
        "raised_by",
        "raised_at",
    )
    list_filter = ("severity", "status")
    list_select_related = (
        "application__version__solution",
        "criterion",
        "round",
        "raised_by",
    )
    search_fields = ("text", "application__solution__name")
    fields = (
        "application",
        "round",
        "criterion",
        "severity",
        "text",
        "status",
        "raised_by",
        "raised_at",
        "resolved_in",
    )
    readonly_fields = fields
    inlines = (AnswerInline,)

    @admin.display(description=gettext_lazy("criterion"), ordering="criterion__number")
    def criterion_number(self, finding):
        return finding.criterion.number if finding.criterion else "—"

    @admin.display(description=gettext_lazy("finding"))
    def summary(self, finding):
        return finding.text if len(finding.text) <= 80 else f"{finding.text[:79]}…"
