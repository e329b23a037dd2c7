from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certportal.admin_site import ReadOnlyAdmin, ReadOnlyInline
from certportal.interaction import guard_state, run, state_unchanged, succeeded

from . import selectors, services
from .enums import Transition
from .forms import LeaderDecisionForm
from .models import (
    Application,
    ApprovalFacts,
    Material,
    ReadinessScore,
    SetupMeeting,
)


class ReadinessInline(ReadOnlyInline):
    model = ReadinessScore
    fields = ("criterion", "score", "comment", "assessed_by", "assessed_at")
    readonly_fields = fields


class MeetingInline(admin.StackedInline):
    model = SetupMeeting
    can_delete = False
    fields = ("scheduled_for", "location", "held_at", "notes", "organiser")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ApprovalFactsInline(admin.StackedInline):
    """Shown to the leaders; written only through the portal's facts page (one write path)."""

    model = ApprovalFacts
    can_delete = False
    fields = (
        "overlap_note",
        "overlapping_solutions",
        "roadmap_conflict",
        "roadmap_note",
        "customer_requests",
        "updated_by",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """The leaders' workspace for stage 2: facts on the page, decisions as buttons."""

    change_form_template = "admin/workflow/application/change_form.html"
    list_display = (
        "pk",
        "solution",
        "version_number",
        "partner",
        "marketplace",
        "state",
        "priority",
        "state_changed_at",
    )
    list_display_links = ("pk", "solution")
    list_filter = ("state", "priority", "kind", "solution__marketplace")
    search_fields = ("solution__name", "solution__slug", "solution__partner__name")
    list_select_related = ("solution__partner", "version")
    # Requests still without a priority first, on every database: they await the leaders.
    ordering = (F("priority").asc(nulls_first=True), "state_changed_at")
    fields = (
        "solution",
        "version",
        "kind",
        "state",
        "priority",
        "motivation",
        "created_by",
        "submitted_at",
        "state_changed_at",
    )
    readonly_fields = fields
    inlines = (MeetingInline, ReadinessInline, ApprovalFactsInline)

    @admin.display(description=gettext_lazy("version"))
    def version_number(self, obj):
        return obj.version.number

    @admin.display(description=gettext_lazy("partner"), ordering="solution__partner__name")
    def partner(self, obj):
        return obj.solution.partner

    @admin.display(description=gettext_lazy("marketplace"))
    def marketplace(self, obj):
        return obj.solution.get_marketplace_display()

    def get_queryset(self, request):
        return selectors.applications_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing here is edited in place: decisions go through the buttons, facts through
        # the portal's facts page, so every write passes the services and the timeline.
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="workflow_application_decide",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            application = self.get_object(request, object_id)
            if application is not None:
                actions, blocked = services.actions_for(application, request.user, with_form=True)
                extra_context.update(
                    decisions=[
                        (name, _label(application, name))
                        for name in services.LEADER_DECISIONS
                        if name in actions
                    ],
                    blocked_reasons=services.reasons_of(blocked),
                    **_overlap(application),
                    facts=getattr(application, "approval_facts", None),
                    timeline=timeline_rows(application),
                    can_edit_facts=(
                        application.state in services.FACTS_STATES
                        and request.user.has_perm("workflow.edit_approval_facts", application)
                    ),
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id, decision):
        application = get_object_or_404(self.get_queryset(request), pk=object_id)
        if decision not in services.LEADER_DECISIONS:
            raise PermissionDenied
        if not request.user.has_perm("workflow.decide_application", application):
            raise PermissionDenied
        change_url = reverse("admin:workflow_application_change", args=[application.pk])
        form = LeaderDecisionForm(
            request.POST or None,
            decision=decision,
            initial={"priority": application.priority},
        )
        guard_state(form, application)
        if request.method == "POST" and form.is_valid() and state_unchanged(form, application):
            decided = run(
                form,
                services.leader_decide,
                application=application,
                by=request.user,
                decision=decision,
                comment=form.cleaned_data["comment"],
                priority=form.cleaned_data.get("priority"),
                stale_message=_(
                    "Someone else decided on this request meanwhile. Nothing was saved; "
                    "your input is kept. Reload the request before deciding again."
                ),
            )
            if succeeded(decided):
                self.message_user(
                    request,
                    _("Decision recorded: %(label)s.") % {"label": _label(application, decision)},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": application,
            "title": f"{_label(application, decision)}: {application}",
            "decision_label": _label(application, decision),
            "decision": decision,
            "form": form,
            "facts": getattr(application, "approval_facts", None),
            "scores": selectors.readiness_rows(application),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/workflow/application/decide.html", context)


def timeline_rows(application) -> list[dict]:
    """The request's timeline as the admin shows it, read-only (nothing on it is ever changed
    or deleted): when in the portal's date format, who, the step by its label, from which
    state to which, and the comment."""
    rows = []
    for entry in selectors.timeline(application):
        rows.append(
            {
                "when": formats.date_format(timezone.localtime(entry.timestamp), "DATETIME_FORMAT"),
                "who": (entry.by.get_full_name() or entry.by.username)
                if entry.by
                else _("scheduled job"),
                "step": _step_label(entry.transition),
                "states": f"{entry.get_source_state_display()} → {entry.get_state_display()}",
                "comment": entry.comment_text or "—",
            }
        )
    return rows


def _step_label(transition: str) -> str:
    """A transition's label in the reader's language; its name when it has none."""
    try:
        return str(Transition(transition).label)
    except ValueError:
        return transition


def _label(application, name: str) -> str:
    method = getattr(type(application), name)
    for transition in method._django_fsm.transitions.values():
        return str(transition.custom.get("label", name))
    return name


def _overlap(application) -> dict:
    """The first solutions of the business area for the overlap table and, when there are
    more, the solution list filtered on the area."""
    size = settings.SHORT_LIST_SIZE
    candidates = list(selectors.overlap_candidates(application)[: size + 1])
    query = urlencode({"category__iexact": application.solution.category, "is_published__exact": 1})
    return {
        "overlap": candidates[:size],
        "overlap_more_url": (
            f"{reverse('admin:catalogue_solution_changelist')}?{query}"
            if len(candidates) > size
            else ""
        ),
    }


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "revision", "original_name", "url", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("application__solution", "application__version")
    search_fields = ("application__solution__name", "original_name", "sha256")
    # The file is private: it has no URL, so it is offered through the download view, which
    # checks the reader's permission again.
    exclude = ("file",)
    readonly_fields = ("download",)

    @admin.display(description=gettext_lazy("file"))
    def download(self, material):
        if not material.file:
            return "—"
        url = reverse("material_download", args=[material.application_id, material.pk])
        label = _("Download “%(name)s”") % {"name": material.original_name or material.file.name}
        if material.size:
            label = f"{label} ({filesizeformat(material.size)})"
        return format_html('<a href="{}">{}</a>', url, label)

    def get_queryset(self, request):
        visible = selectors.applications_visible_to(request.user)
        return super().get_queryset(request).filter(application__in=visible)
