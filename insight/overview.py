"""The programme overview as the page and its downloads show it: the selectors' figures as
charts (certportal.charts) and the same figures as sheets (certportal.exports)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.enums import Marketplace
from catalogue.models import CertificationEvent
from certportal.charts import Chart, Series
from certportal.exports import Sheet
from kpi.models import KPI
from workflow.enums import ApplicationState, Priority, Stage

from . import selectors
from .selectors import Period

WAITING_FOR = {
    "partner": gettext_lazy("the partner"),
    "leaders": gettext_lazy("the leaders"),
    "team": gettext_lazy("the Marketplace team"),
}


@dataclass
class Overview:
    """Everything the page shows: its charts, the oldest waiting requests, and whether the
    programme has any request at all (else the page says so)."""

    charts: list[Chart]
    oldest: list
    has_requests: bool

    def sheets(self) -> list[Sheet]:
        """A sheet per table of the page: each chart's figures, then the oldest waiting."""
        sheets = [chart_sheet(chart) for chart in self.charts]
        sheets.append(
            Sheet(
                _("Oldest waiting"),
                [
                    _("Request"),
                    _("Solution"),
                    _("Partner"),
                    _("State"),
                    _("In this state since"),
                    _("Days waiting"),
                    _("Waiting for"),
                ],
                [
                    [
                        application.pk,
                        f"{application.solution.name} {application.version.number}",
                        application.solution.partner.name,
                        application.get_state_display(),
                        application.state_changed_at,
                        application.days_waiting,
                        application.waiting_for_text,
                    ]
                    for application in self.oldest
                ],
            )
        )
        return sheets


def chart_sheet(chart: Chart) -> Sheet:
    """A chart's table as a sheet: a row per category, a column per series, raw numbers."""
    return Sheet(
        chart.title,
        ["", *(series.name for series in chart.series)],
        [
            [category, *(series.values[index] for series in chart.series)]
            for index, category in enumerate(chart.categories)
        ],
    )


def _month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _per_month(period: Period, counts: dict) -> list[int]:
    return [counts.get(month, 0) for month in period.months]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def build(period: Period, marketplace: str = "", now: datetime.datetime | None = None):
    """The overview of `period` (for one marketplace, or all when "")."""
    now = now or timezone.now()
    months = [_month_label(month) for month in period.months]
    stage_names = [str(stage.label) for stage in Stage]

    by_state = selectors.requests_by_state(marketplace)
    funnel = selectors.funnel(by_state)
    durations = selectors.time_in_stage(period, marketplace)
    moves = selectors.throughput(period, marketplace)
    by_marketplace = selectors.filed_by("solution__marketplace", period, marketplace)
    by_priority = selectors.filed_by("priority", period, marketplace)
    events = selectors.certification_events(period, marketplace)
    breaches = selectors.breaches(period, marketplace)
    oldest = selectors.oldest_waiting(marketplace)
    for application in oldest:
        application.days_waiting = (now - application.state_changed_at).days
        application.waiting_for_text = WAITING_FOR[application.waiting_for]

    outcome_names = {
        "open": _("Open"),
        "certified": _("Certified"),
        "closed": _("Declined or withdrawn"),
    }

    def outcome_series(grouped: dict, keys: list) -> list[Series]:
        return [
            Series(name, [grouped.get(key, {}).get(outcome, 0) for key in keys])
            for outcome, name in outcome_names.items()
        ]

    marketplaces = [value for value, _label in Marketplace.choices]
    priorities = [*Priority.values, None]
    charts = [
        Chart(
            _("Requests in each stage now"),
            stage_names,
            [Series(_("Requests"), [funnel[stage] for stage in Stage])],
            ident="chart-funnel",
        ),
        Chart(
            _("Requests in each state now"),
            [str(label) for label in ApplicationState.labels],
            [Series(_("Requests"), list(by_state.values()))],
            ident="chart-states",
        ),
        Chart(
            _("Time spent in each stage (requests that left it in the period)"),
            stage_names,
            [
                Series(_("Median, days"), [_round(durations[s]["median"]) for s in Stage]),
                Series(_("90th percentile, days"), [_round(durations[s]["p90"]) for s in Stage]),
                Series(_("Requests"), [durations[s]["count"] for s in Stage]),
            ],
            ident="chart-time-in-stage",
        ),
        Chart(
            _("Requests entering each stage per month"),
            months,
            [
                Series(str(stage.label), _per_month(period, moves["entered"][stage]))
                for stage in Stage
            ],
            stacked=True,
            ident="chart-entered",
        ),
        Chart(
            _("Requests leaving each stage per month"),
            months,
            [Series(str(stage.label), _per_month(period, moves["left"][stage])) for stage in Stage],
            stacked=True,
            ident="chart-left",
        ),
        Chart(
            _("Requests filed in the period, by marketplace"),
            [str(label) for label in Marketplace.labels],
            outcome_series(by_marketplace, marketplaces),
            stacked=True,
            ident="chart-marketplace",
        ),
        Chart(
            _("Requests filed in the period, by priority"),
            [str(Priority(value).label).split(" — ")[0] for value in Priority.values]
            + [_("Not set")],
            outcome_series(by_priority, priorities),
            stacked=True,
            ident="chart-priority",
        ),
        Chart(
            _("Certifications granted, at risk and revoked per month"),
            months,
            [
                Series(
                    str(CertificationEvent.Action(action).label), _per_month(period, events[action])
                )
                for action in selectors.CERTIFICATION_ACTIONS
            ],
            ident="chart-certifications",
        ),
        Chart(
            _("KPI breaches per month"),
            months,
            [
                Series(str(label), _per_month(period, breaches.get(kpi, {})))
                for kpi, label in KPI.choices
            ],
            stacked=True,
            ident="chart-breaches",
        ),
    ]
    return Overview(charts=charts, oldest=oldest, has_requests=any(by_state.values()))
