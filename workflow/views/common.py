"""What every page keyed by a request or a solution shares: the look-ups that answer 404 to
whoever may not see the record, and the one-click button on a request. Running a service
from a form is certportal.interaction's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from catalogue.selectors import solutions_visible_to
from certportal.interaction import GuardForm, fresh, run, succeeded

from .. import selectors
from ..models import Application


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
