"""The home page and the partner's dashboard (the team's queue is in queue.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from certportal.paging import query_without
from kpi.glance import kpi_glances

from .. import selectors
from ..enums import Stage
from ..guidance import awaited, kpi_next_step, way_back


def home(request):
    return render(request, "home.html")


@login_required
def dashboard(request):
    user = request.user
    if not user.partner_id and user.has_perm("workflow.view_decisions"):
        return redirect("decisions")
    if not user.partner_id and user.has_perm("workflow.view_queue"):
        return redirect("queue")
    if not user.partner_id and user.has_perm("sales.view_sales"):
        return redirect("sales_solutions")
    mine = selectors.partner_dashboard(user)
    size = settings.DASHBOARD_PAGE_SIZE
    open_page = Paginator(mine["open"], size).get_page(request.GET.get("page"))
    certified_page = Paginator(mine["certified"], size).get_page(request.GET.get("certified"))
    closed_page = Paginator(mine["closed"], size).get_page(request.GET.get("closed"))
    for application in open_page:
        application.awaited = awaited(application, partner_side=True)
    badges = selectors.badge_states(certified_page)
    # Each certified solution's KPIs of the latest month over, and what the partner does next.
    glances = kpi_glances([badge.solution.pk for badge in badges], as_of=timezone.now())
    for badge in badges:
        badge.glance = glances[badge.solution.pk]
        badge.next_step = kpi_next_step(badge, badge.glance)
    # A badge at risk or revoked is the first thing its partner sees, whichever page of the
    # certified solutions is shown.
    alerts, more_alerts = selectors.badges_needing_attention(user, settings.SHORT_LIST_SIZE)
    for badge in alerts:
        badge.way_back = way_back(badge)
    solutions, more_solutions = [], False
    if not open_page.paginator.count and not certified_page.paginator.count:
        # The empty state names a few of the partner's solutions, with a link to the rest.
        solutions, more_solutions = selectors.partner_solutions_short_list(
            user, settings.SHORT_LIST_SIZE
        )
    return render(
        request,
        "workflow/dashboard.html",
        {
            "page": open_page,
            "query": query_without(request, "page"),
            "certified_page": certified_page,
            "badges": badges,
            "alerts": alerts,
            "more_alerts": more_alerts,
            "certified_query": query_without(request, "certified"),
            "closed_page": closed_page,
            "closed_query": query_without(request, "closed"),
            "stages": Stage,
            "solutions": solutions,
            "more_solutions": more_solutions,
        },
    )
