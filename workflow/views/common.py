"""What every page keyed by a request or a solution shares: the look-ups that answer 404 to
whoever may not see the record, and `run`, which calls a service for a form."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from catalogue.selectors import solutions_visible_to
from certportal.errors import ActionRefused

from .. import selectors
from ..models import Application


def run(form, service, **kwargs) -> bool:
    """Call `service(**kwargs)`; on a refusal, put the reason on the form so nothing typed is
    lost. True when the service went through."""
    try:
        service(**kwargs)
    except ConcurrentTransition:
        form.add_error(
            None,
            _(
                "Someone else changed this request while you were working on it. "
                "Nothing was saved; your input is kept below. Check the request and send again."
            ),
        )
    except ActionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, str(reason))
    except ValidationError as error:
        form.add_error(None, error)
    else:
        return True
    return False


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
