"""The leaders' page: every request waiting for a leader's decision (stage 2), with what the
decision weighs beside it: the readiness scores and the stage-2 facts."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from catalogue.rules import require as _require

from .. import selectors


@login_required
def decisions(request):
    _require(request.user, "workflow.view_decisions")
    page = Paginator(selectors.decisions_waiting(request.user), settings.QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for application in page:
        application.scores = selectors.scored_rows(application)
        application.facts = getattr(application, "approval_facts", None)
    return render(request, "workflow/decisions.html", {"page": page})
