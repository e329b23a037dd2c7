from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.rules import require as _require
from catalogue.selectors import solutions_visible_to
from certportal.forms import guard_state, state_unchanged
from support_audit.selectors import due_panel

from .. import selectors, services
from ..enums import ApplicationState, ReadinessCriterion, Stage
from ..forms import (
    ApplicationForm,
    ApprovalFactsForm,
    ConfirmForm,
    MeetingRecordForm,
    MeetingScheduleForm,
    QueueFilterForm,
    ReadinessDecisionForm,
    ReadinessForm,
    SolutionForm,
    VersionForm,
)
from ..guidance import awaited
from .common import run, visible_application, visible_solution


def home(request):
    return render(request, "home.html")


# --- Dashboard ---------------------------------------------------------------------------


@login_required
def dashboard(request):
    user = request.user
    if not user.partner_id and user.has_perm("workflow.view_queue"):
        return redirect("queue")
    mine = selectors.partner_dashboard(user)
    size = settings.DASHBOARD_PAGE_SIZE
    open_page = Paginator(mine["open"], size).get_page(request.GET.get("page"))
    closed_page = Paginator(mine["closed"], size).get_page(request.GET.get("closed"))
    for application in open_page:
        application.awaited = awaited(application, partner_side=True)
    solutions = None
    if not open_page.paginator.count:
        # The empty state names a few of the partner's solutions, with a link to the rest.
        solutions = list(
            solutions_visible_to(user).order_by("name", "pk")[: settings.SHORT_LIST_SIZE + 1]
        )
    query = request.GET.copy()
    query.pop("page", None)
    closed_query = request.GET.copy()
    closed_query.pop("closed", None)
    return render(
        request,
        "workflow/dashboard.html",
        {
            "page": open_page,
            "query": query.urlencode(),
            "closed_page": closed_page,
            "closed_query": closed_query.urlencode(),
            "stages": Stage,
            "solutions": solutions[: settings.SHORT_LIST_SIZE] if solutions else [],
            "more_solutions": bool(solutions) and len(solutions) > settings.SHORT_LIST_SIZE,
        },
    )


@login_required
def queue(request):
    _require(request.user, "workflow.view_queue")
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.queue(
        request.user,
        stage=filters.get("stage"),
        state=filters.get("state", ""),
        marketplace=filters.get("marketplace", ""),
        priority=filters.get("priority"),
        search=filters.get("q", "").strip(),
    )
    page = Paginator(qs, settings.QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        application.awaited = awaited(application, partner_side=False)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workflow/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            **due_panel(settings.SHORT_LIST_SIZE),
        },
    )


# --- Solutions ---------------------------------------------------------------------------


@login_required
def solution_list(request):
    solutions = solutions_visible_to(request.user)
    page = Paginator(solutions, 25).get_page(request.GET.get("page"))
    return render(request, "workflow/solution_list.html", {"page": page})


@login_required
def solution_create(request):
    _require(request.user, "catalogue.add_solution")
    form = SolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        solution = form.save(commit=False)
        if run(form, lambda: services.solution_register(by=request.user, solution=solution)):
            messages.success(request, _("Solution registered. Add its first version."))
            return redirect("version_create", slug=solution.slug)
    return render(
        request,
        "workflow/form_page.html",
        {
            "form": form,
            "title": _("Register a solution"),
        },
    )


@login_required
def solution_detail(request, slug):
    solution = visible_solution(request, slug)
    return render(
        request,
        "workflow/solution_detail.html",
        {
            "solution": solution,
            "versions": solution.versions.order_by("-created_at"),
            "applications": selectors.applications_visible_to(request.user).filter(
                solution=solution
            ),
            "can_edit": request.user.has_perm("catalogue.change_solution", solution),
            "can_request": request.user.has_perm("workflow.add_application", solution),
        },
    )


@login_required
def solution_edit(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "catalogue.change_solution", solution)
    # Validating writes the typed values onto `solution`: name the page by the saved one.
    title = _("Edit %s") % solution.name
    form = SolutionForm(request.POST or None, instance=solution)
    if request.method == "POST" and form.is_valid():
        updated = form.save(commit=False)
        if run(form, lambda: services.solution_update(by=request.user, solution=updated)):
            messages.success(request, _("Solution saved."))
            return redirect(updated)
    return render(
        request,
        "workflow/form_page.html",
        {
            "form": form,
            "title": title,
        },
    )


@login_required
def version_create(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "catalogue.add_solutionversion", solution)
    form = VersionForm(request.POST or None, solution=solution)
    if request.method == "POST" and form.is_valid():
        version = form.save(commit=False)
        if run(form, lambda: services.version_add(by=request.user, version=version)):
            messages.success(request, _("Version %s added.") % version.number)
            return redirect(solution)
    return render(
        request,
        "workflow/form_page.html",
        {
            "form": form,
            "title": _("New version of %s") % solution.name,
        },
    )


# --- Requests ----------------------------------------------------------------------------


@login_required
def application_create(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "workflow.add_application", solution)
    form = ApplicationForm(request.POST or None, solution=solution)
    created = []
    if request.method == "POST" and form.is_valid():

        def create():
            created.append(
                services.application_create(
                    by=request.user,
                    solution=solution,
                    version=form.cleaned_data["version"],
                    motivation=form.cleaned_data["motivation"],
                )
            )

        if run(form, create):
            messages.success(request, _("Draft request created. Check it and submit it."))
            return redirect(created[0])
    return render(
        request,
        "workflow/form_page.html",
        {
            "form": form,
            "title": _("Request certification of %s") % solution.name,
            "intro": None
            if solution.is_published
            else _(
                "Only a solution published on the Marketplace can be certified (R1.1). "
                "Publish it first and tick “published” on the solution."
            ),
        },
    )


@login_required
def application_detail(request, pk):
    application = visible_application(request, pk)
    user = request.user
    team = user.has_perm("workflow.view_internal_notes", application)
    actions, blocked = services.actions_for(application, user, with_form=True)
    context = {
        "application": application,
        "stages": Stage,
        "timeline": selectors.timeline(application),
        "durations": [
            (ApplicationState(state).label, spent)
            for state, spent in selectors.time_in_states(application)
        ],
        "awaited": awaited(application, partner_side=not team),
        "actions": actions,
        "team": team,
        "meeting": getattr(application, "meeting", None),
        "blocked": blocked,
        "blocked_reasons": services.reasons_of(blocked),
    }
    if team:
        scores = {
            s.criterion: s for s in application.readiness_scores.select_related("assessed_by")
        }
        context["scores"] = [(c, scores.get(c.value)) for c in ReadinessCriterion]
        context["facts"] = getattr(application, "approval_facts", None)
        context["can_edit_facts"] = user.has_perm("workflow.edit_approval_facts", application)
    return render(request, "workflow/application_detail.html", context)


@login_required
@require_POST
def application_submit(request, pk):
    application = visible_application(request, pk)
    form = ConfirmForm(request.POST)
    form.fields["comment"].required = False
    guard_state(form, application)
    if (
        form.is_valid()
        and state_unchanged(form, application)
        and run(form, lambda: services.application_submit(application=application, by=request.user))
    ):
        messages.success(request, _("Request submitted. The Marketplace team has been told."))
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect(application)


def _action_page(request, application, form, action, *, title, success, intro=None):
    """A page with one form that runs one service on the request."""
    guard_state(form, application)
    if (
        request.method == "POST"
        and form.is_valid()
        and state_unchanged(form, application)
        and run(form, partial(action, form))
    ):
        messages.success(request, success)
        return redirect(application)
    return render(
        request,
        "workflow/action_page.html",
        {"application": application, "form": form, "title": title, "intro": intro},
    )


@login_required
def application_withdraw(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.withdraw_application", application)
    form = ConfirmForm(
        request.POST or None, comment_required=True, submit_label=_("Withdraw the request")
    )
    form.fields["comment"].label = _("Why do you withdraw it?")
    return _action_page(
        request,
        application,
        form,
        lambda f: services.application_withdraw(
            application=application, by=request.user, reason=f.cleaned_data["comment"]
        ),
        title=_("Withdraw request #%s?") % application.pk,
        intro=_("A withdrawn request is closed for good; you can file a new one later."),
        success=_("Request withdrawn."),
    )


@login_required
def meeting_schedule(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    meeting = getattr(application, "meeting", None)
    initial = (
        {
            "scheduled_for": meeting.scheduled_for,
            "location": meeting.location,
            "agenda": meeting.agenda,
        }
        if meeting
        else {}
    )
    form = MeetingScheduleForm(request.POST or None, initial=initial)
    return _action_page(
        request,
        application,
        form,
        lambda f: services.meeting_schedule(
            application=application,
            by=request.user,
            scheduled_for=f.cleaned_data["scheduled_for"],
            location=f.cleaned_data["location"],
            agenda=f.cleaned_data["agenda"],
        ),
        title=_("Set-up meeting for request #%s") % application.pk,
        success=_("Meeting scheduled; the partner has been told."),
    )


@login_required
def meeting_record(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = MeetingRecordForm(request.POST or None)
    return _action_page(
        request,
        application,
        form,
        lambda f: services.meeting_record(
            application=application,
            by=request.user,
            held_at=f.cleaned_data["held_at"],
            notes=f.cleaned_data["notes"],
        ),
        title=_("Record the set-up meeting of request #%s") % application.pk,
        success=_("Meeting recorded. Score the partner's readiness next."),
    )


@login_required
def readiness(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    existing = {s.criterion: s for s in application.readiness_scores.all()}
    form = ReadinessForm(request.POST or None, existing=existing)
    return _action_page(
        request,
        application,
        form,
        lambda f: services.readiness_scores_save(
            application=application, by=request.user, scores=f.scores()
        ),
        title=_("Readiness of request #%s (regulation 1.1)") % application.pk,
        success=_("Scores saved."),
    )


@login_required
def readiness_decide(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = ReadinessDecisionForm(request.POST or None)
    return _action_page(
        request,
        application,
        form,
        lambda f: services.readiness_decide(
            application=application,
            by=request.user,
            accept=f.cleaned_data["decision"] == "accept",
            comment=f.cleaned_data["comment"],
        ),
        title=_("Stage-1 decision on request #%s") % application.pk,
        success=_("Decision recorded; the partner has been told."),
    )


@login_required
def approval_facts(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.edit_approval_facts", application)
    facts = getattr(application, "approval_facts", None)
    initial = {}
    if facts:
        initial = {
            "overlap_note": facts.overlap_note,
            "overlapping_solutions": list(facts.overlapping_solutions.all()),
            "roadmap_conflict": facts.roadmap_conflict,
            "roadmap_note": facts.roadmap_note,
            "customer_requests": facts.customer_requests,
        }
    form = ApprovalFactsForm(request.POST or None, initial=initial, application=application)
    return _action_page(
        request,
        application,
        form,
        lambda f: services.approval_facts_save(
            application=application,
            by=request.user,
            facts=services.ApprovalFactsInput(
                overlap_note=f.cleaned_data["overlap_note"],
                roadmap_conflict=f.cleaned_data["roadmap_conflict"],
                roadmap_note=f.cleaned_data["roadmap_note"],
                customer_requests=f.cleaned_data["customer_requests"],
                overlapping_solutions=tuple(f.cleaned_data["overlapping_solutions"]),
            ),
        ),
        title=_("Stage-2 facts for request #%s") % application.pk,
        intro=_("What the leaders weigh: the portfolio, the R&D roadmap and customer demand."),
        success=_("Facts saved."),
    )
