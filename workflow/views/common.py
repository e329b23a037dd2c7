"""What every page keyed by a request or a solution shares: the look-ups that answer 404 to
whoever may not see the record, the one-click button on a request and the confirmation page
of a one-way step. Running a service from a form is certportal.interaction's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from catalogue.selectors import solutions_visible_to
from certportal.interaction import (
    ConfirmForm,
    GuardForm,
    confirmation_data,
    confirmation_page,
    fresh,
    run,
    succeeded,
)

from .. import selectors
from ..models import Application
from ..services import unmet_conditions


def visible_application(request, pk, *, related=()) -> Application:
    """The request, if this user may see it; 404 for another partner's or a missing one."""
    queryset = selectors.applications_visible_to(request.user)
    if related:
        queryset = queryset.select_related(*related)
    return get_object_or_404(queryset, pk=pk)


def team_application(request, pk, *, related=()) -> Application:
    """The request, for a member of the Marketplace team who may see it; 404 for anyone
    else, a partner included."""
    application = visible_application(request, pk, related=related)
    if not request.user.has_perm("workflow.view_internal_notes", application):
        raise Http404
    return application


def reviewed_application(request, pk) -> Application:
    """The request on its DoD review pages: the team's, with what those pages show of it."""
    return team_application(
        request, pk, related=("criteria_version", "previous_version", "version__solution")
    )


def visible_solution(request, slug):
    """The solution, if this user may see it; 404 otherwise."""
    return get_object_or_404(solutions_visible_to(request.user), slug=slug)


def button(request, record, service, /, *, success, done_url, refused_url=None, **kwargs):
    """A one-click POST on a request (start, submit, resolve, mark done): made on the request as
    the user saw it, `service(**kwargs)` called, its refusals said as messages."""
    form = GuardForm(request.POST, application=record)
    if fresh(form, record) and succeeded(run(form, service, **kwargs)):
        messages.success(request, success)
        return redirect(done_url)
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(refused_url or done_url)


def confirmed_step(
    request,
    application,
    service,
    *,
    transition,
    label,
    title,
    intro,
    success,
    comment_label=None,
    success_url=None,
    initial=None,
    back=None,
):
    """A one-way step on the request from its confirmation page (workflow/action_page.html):
    shown on a GET, taken on the confirmed POST, with an optional comment for the timeline.
    When `transition` cannot be taken now the page says why instead of offering it."""
    form = ConfirmForm(
        **confirmation_data(request),
        initial=initial,
        record=application,
        submit_label=label,
        comment_label=comment_label,
        confirm=True,
    )
    return confirmation_page(
        request,
        form,
        service,
        record=application,
        arguments=lambda: {
            "application": application,
            "by": request.user,
            "comment": form.cleaned_data["comment"].strip(),
        },
        success=success,
        success_url=success_url or application.get_absolute_url(),
        template="workflow/action_page.html",
        context=lambda: _confirmation_context(
            application, form, transition, title=title, intro=intro, **(back or {})
        ),
    )


def _confirmation_context(application, form, transition, **shown) -> dict:
    """What the confirmation page shows: the refusal of a confirmation just sent, or else why
    the step is not possible now; the form is offered only when the step is."""
    reasons = unmet_conditions(application, transition)
    refusals = list(form.non_field_errors()) if form.is_bound else []
    return {
        "application": application,
        "form": form,
        "confirmation": True,
        "reasons": [] if refusals else reasons,
        "refusals": refusals if reasons else [],
        "hide_form": bool(reasons),
        **shown,
    }
