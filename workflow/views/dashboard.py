"""The home page, the partner's dashboard and the team's queue."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from catalogue.rules import require as _require
from support_audit.selectors import due_panel

from .. import selectors
from ..enums import Stage
from ..forms import QueueFilterForm
from ..guidance import awaited, next_step


def home(request):
    return render(request, "home.html")


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
    solutions, more_solutions = [], False
    if not open_page.paginator.count:
        # The empty state names a few of the partner's solutions, with a link to the rest.
        solutions, more_solutions = selectors.partner_solutions_short_list(
            user, settings.SHORT_LIST_SIZE
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
            "solutions": solutions,
            "more_solutions": more_solutions,
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
        application.awaited = next_step(application, partner_side=False).text
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
