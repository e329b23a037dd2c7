"""Downloads of a solution's KPI page besides its own `?export=`: the cases with their
deadlines as XLSX (the CSV is streamed by `views.kpi_cases_export`) and the badge history as
CSV or XLSX. The same visibility as the page: the solution's partner and the team; anyone
else gets 404."""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.views.decorators.http import require_GET

from certportal.exports import export_response

from . import selectors
from .exports import badge_history_sheet, cases_sheet
from .views import solution_or_404


@login_required
@require_GET
def kpi_cases_export_xlsx(request, slug):
    """Every case of the solution with the deadlines the portal computed, as XLSX."""
    solution = solution_or_404(request, slug)
    return export_response(
        "xlsx", f"{solution.slug}-cases", [cases_sheet(solution, as_of=timezone.now())]
    )


@login_required
@require_GET
def kpi_badge_history_export(request, slug, fmt):
    """The solution's badge history (grants, version changes, at risk, revocations,
    restorations), newest first, as CSV or XLSX."""
    solution = solution_or_404(request, slug)
    return export_response(
        fmt,
        f"{solution.slug}-badge-history",
        [badge_history_sheet(selectors.badge_history(solution))],
    )
