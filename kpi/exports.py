"""The tables of a solution's KPI page as sheets to download (certportal.exports): the monthly
figures of every KPI and the NPS by half-year, the cases with their deadlines, the badge
history. Built from the page's own selectors, so a download holds what the page shows."""

from datetime import datetime

from django.utils.translation import gettext as _

from catalogue.models import CertificationEvent, Solution
from certportal.exports import Sheet

from . import selectors
from .charts import chart_value
from .models import KPI
from .selectors import KPIPage, MonthRow


def figures_state(row: MonthRow) -> str:
    """How far a month's figures can be trusted, as the page says it."""
    if row.current:
        return _("so far")
    if row.provisional:
        return _("provisional")
    return _("final") if row.final else _("no data")


def kpi_sheets(page: KPIPage) -> list[Sheet]:
    """The monthly figures of each case KPI (a row per month and KPI, newest month first) and
    the NPS of each half-year."""
    months = [
        [
            row.period.name,
            str(KPI(cell.kpi).label),
            chart_value(cell),
            "%" if cell.is_rate else "",
            cell.numerator,
            cell.denominator,
            cell.target,
            str(cell.status_label),
            figures_state(row),
        ]
        for row in page.months
        for cell in row.cells
    ]
    half_years = [
        [
            row.period.name,
            row.mean.number,
            row.mean.target,
            str(row.mean.status_label),
            row.classic.number,
            row.answers,
            row.answered,
            row.active,
            row.invited,
            row.invited_answered,
            _("so far") if not row.over else "",
        ]
        for row in page.half_years
    ]
    return [
        Sheet(
            _("KPIs by month"),
            [
                _("Month"),
                _("KPI"),
                _("Value"),
                _("Unit"),
                _("Numerator"),
                _("Denominator"),
                _("Target"),
                _("Status"),
                _("Figures"),
            ],
            months,
        ),
        Sheet(
            _("NPS by half-year"),
            [
                _("Half-year"),
                _("NPS mean score"),
                _("Target"),
                _("Status"),
                _("Classic NPS"),
                _("Answers"),
                _("Active customers who answered"),
                _("Active customers"),
                _("Invited"),
                _("Invited who answered"),
                _("Figures"),
            ],
            half_years,
        ),
    ]


def cases_sheet(solution: Solution, *, as_of: datetime) -> Sheet:
    """Every case of the solution with the deadlines the portal computed, newest first; the
    columns are those of the CSV export."""
    cases = selectors.cases_with_deadlines(solution, as_of=as_of).values_list(
        *selectors.EXPORT_COLUMNS
    )
    return Sheet(_("Cases"), list(selectors.EXPORT_COLUMNS), cases.iterator(chunk_size=2000))


def badge_history_sheet(events: list[CertificationEvent]) -> Sheet:
    """The certification's events as the KPI page lists them, newest first."""
    return Sheet(
        _("Badge history"),
        [_("When"), _("What happened"), _("Status after"), _("Version"), _("By"), _("Reason")],
        [
            [
                event.at,
                event.get_action_display(),
                event.get_status_display(),
                event.version.number,
                (event.actor.get_full_name() or event.actor.username)
                if event.actor
                else _("scheduled job"),
                event.reason_text,
            ]
            for event in events
        ],
    )
