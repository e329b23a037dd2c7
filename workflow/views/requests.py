"""A request's page, its submission and withdrawal, and stage 1: the set-up meeting, the
readiness scores and decision, and the facts the leaders weigh at stage 2."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalogue.rules import require as _require
from certportal.interaction import ConfirmForm, fresh, guard_state, run, succeeded

from .. import selectors, services
from ..enums import ApplicationState, Stage
from ..forms import (
    ApprovalFactsForm,
    MeetingRecordForm,
    MeetingScheduleForm,
    ReadinessDecisionForm,
    ReadinessForm,
)
from ..guidance import next_step, way_back
from .assignment import assignment_context
from .common import confirmed_step, visible_application


@login_required
def application_detail(request, pk):
    application = visible_application(request, pk)
    user = request.user
    team = user.has_perm("workflow.view_internal_notes", application)
    actions, blocked = services.actions_for(application, user, with_form=True)
    badge = selectors.badge_of(application)
    if badge is not None:
        badge.way_back = way_back(badge)
    context = {
        "application": application,
        "stages": Stage,
        "timeline": selectors.timeline(application),
        "durations": [
            (ApplicationState(state).label, spent)
            for state, spent in selectors.time_in_states(application)
        ],
        "awaited": next_step(
            application, partner_side=not team, here="application_detail", badge=badge
        ),
        "badge": badge,
        "actions": actions,
        "team": team,
        "meeting": getattr(application, "meeting", None),
        "blocked": blocked,
        "blocked_reasons": services.reasons_of(blocked),
    }
    if team:
        context["scores"] = selectors.readiness_rows(application)
        context["facts"] = getattr(application, "approval_facts", None)
        context["can_edit_facts"] = user.has_perm("workflow.edit_approval_facts", application)
        context.update(assignment_context(application, user))
    return render(request, "workflow/application_detail.html", context)


@login_required
def application_submit(request, pk):
    """The confirmation of the submission: afterwards the request can no longer be edited."""
    application = visible_application(request, pk)
    _require(request.user, "workflow.submit_application", application)
    return confirmed_step(
        request,
        application,
        services.application_submit,
        transition="submit",
        label=_("Submit the request"),
        title=_("Submit request #%s?") % application.pk,
        intro=_(
            "After submitting you can no longer edit the request. The Marketplace team is "
            "told at once; an analyst proposes the set-up meeting with you, then assesses "
            "your readiness (regulation 1.1)."
        ),
        success=_("Request submitted. The Marketplace team has been told."),
        comment_label=_("Comment for the Marketplace team (optional)"),
    )


def _posted(request, form, application) -> bool:
    """A POST of the action's form, valid and made on the request as it still is."""
    guard_state(form, application)
    return request.method == "POST" and fresh(form, application)


def _action_page(request, application, form, *, title, intro=None):
    """The page of one form that runs one service on the request (shown again on a refusal)."""
    return render(
        request,
        "workflow/action_page.html",
        {"application": application, "form": form, "title": title, "intro": intro},
    )


def _done(request, application, success):
    messages.success(request, success)
    return redirect(application)


@login_required
def application_withdraw(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.withdraw_application", application)
    form = ConfirmForm(
        request.POST or None,
        comment_required=True,
        submit_label=_("Withdraw the request"),
        comment_label=_("Why do you withdraw it?"),
    )
    if _posted(request, form, application) and succeeded(
        run(
            form,
            services.application_withdraw,
            application=application,
            by=request.user,
            reason=form.cleaned_data["comment"],
        )
    ):
        return _done(request, application, _("Request withdrawn."))
    return _action_page(
        request,
        application,
        form,
        title=_("Withdraw request #%s?") % application.pk,
        intro=_("A withdrawn request is closed for good; you can file a new one later."),
    )


@login_required
def meeting_schedule(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = MeetingScheduleForm(request.POST or None, initial=selectors.meeting_initial(application))
    if _posted(request, form, application) and succeeded(
        run(
            form,
            services.meeting_schedule,
            application=application,
            by=request.user,
            scheduled_for=form.cleaned_data["scheduled_for"],
            location=form.cleaned_data["location"],
            agenda=form.cleaned_data["agenda"],
        )
    ):
        return _done(request, application, _("Meeting scheduled; the partner has been told."))
    return _action_page(
        request, application, form, title=_("Set-up meeting for request #%s") % application.pk
    )


@login_required
def meeting_record(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = MeetingRecordForm(request.POST or None)
    if _posted(request, form, application) and succeeded(
        run(
            form,
            services.meeting_record,
            application=application,
            by=request.user,
            held_at=form.cleaned_data["held_at"],
            notes=form.cleaned_data["notes"],
        )
    ):
        return _done(
            request, application, _("Meeting recorded. Score the partner's readiness next.")
        )
    return _action_page(
        request,
        application,
        form,
        title=_("Record the set-up meeting of request #%s") % application.pk,
    )


@login_required
def readiness(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = ReadinessForm(request.POST or None, existing=selectors.readiness_scores(application))
    if _posted(request, form, application) and succeeded(
        run(
            form,
            services.readiness_scores_save,
            application=application,
            by=request.user,
            scores=form.scores(),
        )
    ):
        return _done(request, application, _("Scores saved."))
    return _action_page(
        request,
        application,
        form,
        title=_("Readiness of request #%s (regulation 1.1)") % application.pk,
    )


@login_required
def readiness_decide(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.run_stage_one", application)
    form = ReadinessDecisionForm(request.POST or None)
    if _posted(request, form, application) and succeeded(
        run(
            form,
            services.readiness_decide,
            application=application,
            by=request.user,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
        )
    ):
        return _done(request, application, _("Decision recorded; the partner has been told."))
    return _action_page(
        request, application, form, title=_("Stage-1 decision on request #%s") % application.pk
    )


@login_required
def approval_facts(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.edit_approval_facts", application)
    form = ApprovalFactsForm(
        request.POST or None,
        initial=selectors.approval_facts_initial(application),
        application=application,
    )
    if _posted(request, form, application):
        data = form.cleaned_data
        facts = services.ApprovalFactsInput(
            overlap_note=data["overlap_note"],
            roadmap_conflict=data["roadmap_conflict"],
            roadmap_note=data["roadmap_note"],
            customer_requests=data["customer_requests"],
            overlapping_solutions=tuple(data["overlapping_solutions"]),
        )
        if succeeded(
            run(
                form,
                services.approval_facts_save,
                application=application,
                by=request.user,
                facts=facts,
            )
        ):
            return _done(request, application, _("Facts saved."))
    return _action_page(
        request,
        application,
        form,
        title=_("Stage-2 facts for request #%s") % application.pk,
        intro=_("What the leaders weigh: the portfolio, the R&D roadmap and customer demand."),
    )
