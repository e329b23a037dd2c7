"""The charts of a solution's KPI page, drawn from the figures the page already read (no query).

Each monthly case KPI is a line over the months shown, oldest first, in two series: the final
figures and the provisional ones (the current month "so far", and the months over whose cases
are still open within their deadline; docs/kpi-verdict.md). A month that failed its target is
marked; the target the newest month was judged against is the dashed line. The NPS charts show
the mean score of each half-year against its target, and how many customers answered.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from certportal.charts import Chart, Series

from . import judging
from .models import KPI, KPISnapshot
from .selectors import HalfYearRow, KPICell, KPIPage, MonthRow

FAILED = (KPISnapshot.Status.FAIL, KPISnapshot.Status.MISSING)


def chart_value(cell: KPICell) -> float | int | None:
    """A KPI's figure as the chart and the exports show it: a rate in per cent, a count or a
    score as it is; a whole number as such, else to two decimals."""
    value = cell.percent if cell.is_rate else cell.number
    return _plain(value)


def _plain(value) -> float | int | None:
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 2))


def chart_target(kpi: str, snapshot: KPISnapshot | None) -> float | int | None:
    """The target a snapshot was judged against, in the chart's unit (None when none applied)."""
    if snapshot is None or snapshot.target_value is None:
        return None
    value = snapshot.target_value
    return _plain(value * 100 if kpi in judging.RATE_KPIS else value)


def _newest_judged(cells: list[KPICell]) -> KPICell | None:
    """The newest cell judged against a target (cells oldest first)."""
    return next((cell for cell in reversed(cells) if cell.snapshot and cell.target), None)


def month_chart(kpi: str, rows: list[MonthRow]) -> Chart:
    """One case KPI over the months `rows` (newest first, as the page reads them)."""
    rows = list(reversed(rows))
    cells = [next(cell for cell in row.cells if cell.kpi == kpi) for row in rows]
    pairs = list(zip(rows, cells, strict=True))
    final = [None if row.provisional else chart_value(cell) for row, cell in pairs]
    provisional = [chart_value(cell) if row.provisional else None for row, cell in pairs]
    failed = [cell.status in FAILED and cell.has_value for cell in cells]
    final_failed = [f and not row.provisional for f, (row, _c) in zip(failed, pairs, strict=True)]
    provisional_failed = [f and row.provisional for f, (row, _c) in zip(failed, pairs, strict=True)]
    judged = _newest_judged(cells)
    return Chart(
        title=str(KPI(kpi).label),
        categories=[row.period.name for row in rows],
        series=[
            Series(_("Final figures"), final, marked=final_failed, note=_("target missed")),
            Series(
                _("Provisional figures"),
                provisional,
                marked=provisional_failed,
                note=_("target missed"),
            ),
        ],
        kind="line",
        target=chart_target(kpi, judged.snapshot) if judged else None,
        target_label=_("Target: %(target)s") % {"target": judged.target} if judged else "",
        unit="%" if kpi in judging.RATE_KPIS else "",
        ident=f"chart-{kpi}",
    )


def month_charts(page: KPIPage) -> list[Chart]:
    """A chart per monthly case KPI, in the order of the page's table."""
    return [month_chart(str(kpi), page.months) for kpi in judging.CASE_KPIS]


def _share(part: int, whole: int) -> float | int | None:
    return _plain(Decimal(part) * 100 / whole) if whole else None


def nps_charts(rows: list[HalfYearRow]) -> list[Chart]:
    """The NPS mean score of each half-year against its target, and the participation: the
    share of the active customers who answered, and of those the portal's survey invited."""
    rows = list(reversed(rows))
    categories = [row.period.name for row in rows]
    judged = _newest_judged([row.mean for row in rows])
    mean = Chart(
        title=_("NPS survey mean score by half-year"),
        categories=categories,
        series=[
            Series(
                _("Mean score"),
                [_plain(row.mean.number) for row in rows],
                marked=[row.mean.status in FAILED and row.mean.has_value for row in rows],
                note=_("target missed"),
            ),
        ],
        target=chart_target(KPI.NPS_MEAN, judged.snapshot) if judged else None,
        target_label=_("Target: %(target)s") % {"target": judged.target} if judged else "",
        ident="chart-nps-mean",
    )
    series = [
        Series(
            _("Active customers who answered"),
            [_share(row.answered, row.active) for row in rows],
        )
    ]
    if any(row.invited for row in rows):
        series.append(
            Series(
                _("Invited customers who answered"),
                [_share(row.invited_answered, row.invited) for row in rows],
            )
        )
    participation = Chart(
        title=_("NPS survey participation by half-year"),
        categories=categories,
        series=series,
        unit="%",
        ident="chart-nps-participation",
    )
    return [mean, participation]
