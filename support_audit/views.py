"""Pages of certified solutions' support that no request is keyed by."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from catalogue.rules import require

from .selectors import actions_due_listed, audits_due_listed


@login_required
def audits_due(request):
    """Every regular audit and remediation action past due, a page of each at a time."""
    require(request.user, "support_audit.view_audits_due")
    size = settings.QUEUE_PAGE_SIZE
    audits = Paginator(audits_due_listed(), size).get_page(request.GET.get("page"))
    actions = Paginator(actions_due_listed(), size).get_page(request.GET.get("actions"))
    query = request.GET.copy()
    query.pop("page", None)
    actions_query = request.GET.copy()
    actions_query.pop("actions", None)
    return render(
        request,
        "workflow/audits_due.html",
        {
            "page": audits,
            "query": query.urlencode(),
            "actions_page": actions,
            "actions_query": actions_query.urlencode(),
        },
    )
