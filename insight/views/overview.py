"""The programme overview (/insight/): the programme's figures as charts with their tables,
for a period and a marketplace, and the same tables as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalogue.rules import require
from certportal.exports import export_response, requested_export

from .. import overview
from ..forms import OverviewFilterForm


@login_required
@require_GET
def programme_overview(request):
    require(request.user, "insight.view_overview")
    fmt = requested_export(request)
    form = OverviewFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # a bad filter is said above the charts; the defaults apply instead
    period = form.period(timezone.localdate())
    data = overview.build(period, form.chosen_marketplace())
    if fmt:
        return export_response(fmt, "programme-overview", data.sheets())
    return render(
        request,
        "insight/overview.html",
        {"form": form, "period": period, "overview": data},
    )
