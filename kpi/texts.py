"""What the KPI job writes in its own words, as facts (certportal.system_texts).

The reason it gives when it revokes a badge or marks it at risk (R5.8) is stored on the
badge's history (catalogue.CertificationEvent) as `KPI_FAILED` with, per failed KPI, its
counts, its target and what it was judged on. A breach's figures are stored as `FIGURES` (the
KPI and its counts) or, for a missing NPS survey, `SURVEY_MISSING` (the customers active at
the half-year's end). Each is rendered in the reader's language, the figures and the target
formatted as the KPI page formats them.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from certportal.system_texts import Text, register, template

from . import judging
from .models import KPI, Breach
from .periods import Period

KPI_FAILED = "kpi.failed"
FIGURES = "kpi.figures"
SURVEY_MISSING = "kpi.survey_missing"

BASIS_NOTES = {
    Breach.Basis.FINAL: gettext_lazy("on the month's final figures"),
    Breach.Basis.IRREVERSIBLE: gettext_lazy(
        "before the month's figures were final: no later data can undo it"
    ),
}


def failed_reason(period: Period, failed) -> Text:
    """The reason of a badge's change for the KPIs `failed` in `period`: (KPI, numerator,
    denominator, value, threshold, basis) each."""
    return Text(
        KPI_FAILED,
        {
            "period": period.name,
            "failures": [
                {
                    "kpi": str(kpi),
                    "numerator": numerator,
                    "denominator": denominator,
                    "comparison": str(threshold.comparison),
                    "target": str(threshold.value),
                    # A half-year is judged once it is over: on its final figures.
                    "basis": str(basis) if period.is_month else None,
                }
                for kpi, numerator, denominator, _value, threshold, basis in failed
            ],
        },
    )


def render_failed(params: dict) -> str:
    """ "CSAT response rate failed in 2026-03: 3 of 100 = 3 %, target at least 7 % (on the
    month's final figures)", one clause per KPI, in the active language."""
    template = _("%(kpi)s failed in %(period)s: %(figures)s, target %(target)s (%(basis)s)")
    clauses = []
    for failure in params["failures"]:
        kpi, numerator, denominator = failure["kpi"], failure["numerator"], failure["denominator"]
        value = judging.kpi_value(kpi, numerator, denominator)
        target = judging.Target(failure["comparison"], Decimal(failure["target"]))
        basis = failure["basis"]
        clauses.append(
            template
            % {
                "kpi": KPI(kpi).label,
                "period": params["period"],
                "figures": judging.format_figures(kpi, numerator, denominator, value),
                "target": judging.format_target(kpi, target),
                "basis": BASIS_NOTES[basis] if basis else _("on final figures"),
            }
        )
    return "; ".join(clauses)


def figures(kpi: str, numerator: int, denominator: int) -> Text:
    """The figures behind a KPI: "3 of 100 = 3 %"."""
    return Text(FIGURES, {"kpi": str(kpi), "numerator": numerator, "denominator": denominator})


def render_figures(params: dict) -> str:
    kpi, numerator, denominator = params["kpi"], params["numerator"], params["denominator"]
    value = judging.kpi_value(kpi, numerator, denominator)
    return judging.format_figures(kpi, numerator, denominator, value)


def survey_missing(active: int) -> Text:
    """A half-year's NPS survey that nobody answered (R5.1)."""
    return Text(SURVEY_MISSING, {"active": active})


register(KPI_FAILED, render_failed)
register(FIGURES, render_figures)
register(
    SURVEY_MISSING,
    template(
        gettext_noop("no answer from the %(active)s customers active at the end of the half-year")
    ),
)
