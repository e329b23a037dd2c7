"""Judging a KPI's counts against its target: pure functions, exact fractions, no database.

Targets are inclusive ("at most 1 %" passes at exactly 1 %) and compared on the counts
themselves, never through a rounded float: 1 of 100 passes "at most 1 %", 2 of 199 fails it.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import KPI, Comparison, KPISnapshot

PASS = KPISnapshot.Status.PASS.value
FAIL = KPISnapshot.Status.FAIL.value
NO_DATA = KPISnapshot.Status.NO_DATA.value
MISSING = KPISnapshot.Status.MISSING.value

# Rates are fractions of the month's cases (or ratings): 0.0125 for 1.25 %.
RATE_KPIS = frozenset(
    {
        KPI.RESPONSE_OVERDUE_RATE,
        KPI.RESOLUTION_OVERDUE_RATE,
        KPI.CSAT_RESPONSE_RATE,
        KPI.CSAT_POSITIVE_SHARE,
    }
)
CASE_KPIS = (
    KPI.RESPONSE_OVERDUE_RATE,
    KPI.RESOLUTION_OVERDUE_RATE,
    KPI.CSAT_RESPONSE_RATE,
    KPI.CSAT_POSITIVE_SHARE,
    KPI.ESCALATIONS,
)
NPS_KPIS = (KPI.NPS_MEAN, KPI.NPS_CLASSIC)
# KPIs whose numerator can only grow once the month is over: a case late on a step stays late
# (answered or resolved after its deadline, or not yet and past it), an escalated case stays
# escalated, and no case is registered in a month that is over. Their failure in a month that
# is over is final before the figures are.
GROWS_ONLY_KPIS = frozenset(
    {KPI.RESPONSE_OVERDUE_RATE, KPI.RESOLUTION_OVERDUE_RATE, KPI.ESCALATIONS}
)
# Shown beside the mean, decides nothing.
INFORMATIVE_KPIS = frozenset({KPI.NPS_CLASSIC})


def kpi_value(kpi: str, numerator: int, denominator: int) -> Fraction | None:
    """The exact value of a KPI from its counts; None ("no data") when there is nothing to count.

    Rates and the NPS mean are numerator / denominator; escalations are the count itself (the
    denominator, the month's cases, only tells whether there was data). For the classic NPS,
    the numerator is promoters minus detractors and the value is in points (−100..100).
    """
    if denominator <= 0:
        return None
    if kpi == KPI.ESCALATIONS:
        return Fraction(numerator)
    if kpi == KPI.NPS_CLASSIC:
        return Fraction(100 * numerator, denominator)
    return Fraction(numerator, denominator)


def meets(value: Fraction, comparison: str, target) -> bool:
    """Inclusive comparison of an exact value with a target (Decimal, int or Fraction)."""
    bound = Fraction(target)
    if comparison == Comparison.AT_MOST:
        return value <= bound
    if comparison == Comparison.AT_LEAST:
        return value >= bound
    raise ValueError(f"Unknown comparison {comparison!r}")


def judge(kpi: str, numerator: int, denominator: int, threshold) -> tuple[Fraction | None, str]:
    """(value, status) of a KPI; `threshold` has `comparison` and `value` (a `Threshold` row or
    any object alike), or is None when no target applies."""
    value = kpi_value(kpi, numerator, denominator)
    if value is None:
        return None, NO_DATA
    if kpi in INFORMATIVE_KPIS:
        return value, PASS
    if threshold is None:
        return value, NO_DATA
    return value, PASS if meets(value, threshold.comparison, threshold.value) else FAIL


def irreversible(kpi: str, status: str, *, month_over: bool) -> bool:
    """A failure that no later data can undo: a KPI whose numerator only grows (the count of
    late or escalated cases), failed in a month that is over (no new case can dilute it)."""
    return status == FAIL and month_over and kpi in GROWS_ONLY_KPIS


def remedy(kpi: str, numerator: int, denominator: int, threshold, *, month_over: bool):
    """How many more cases (rates of cases: handled in time, or rated) or positive ratings
    (the positive share) would bring a failing KPI back within its target: the fewest that
    do; None when nothing can (an escalation count over its limit, a late count of a month
    that is over, a target no count reaches)."""
    if threshold is None or kpi in INFORMATIVE_KPIS or kpi not in CASE_KPIS:
        return None
    value = kpi_value(kpi, numerator, denominator)
    if value is None or meets(value, threshold.comparison, threshold.value):
        return 0
    bound = Fraction(threshold.value)
    if kpi in GROWS_ONLY_KPIS:
        if month_over or kpi == KPI.ESCALATIONS or bound <= 0:
            return None
        # More cases handled in time: numerator / (denominator + k) <= bound.
        # Failing means numerator / denominator > bound, so at least one case is needed.
        return math.ceil(Fraction(numerator) / bound - denominator)
    if kpi == KPI.CSAT_RESPONSE_RATE:
        # More of the month's cases rated: (numerator + k) / denominator >= bound.
        return math.ceil(bound * denominator - numerator)
    # CSAT positive share, more positive ratings: (numerator + k) / (denominator + k) >= bound.
    if bound >= 1:
        return None
    return math.ceil((bound * denominator - numerator) / (1 - bound))


def nps_status(status: str, answers: int, surveyed: int) -> str:
    """The NPS mean's status once its half-year is over: `missing` when `surveyed` customers
    were active at its end and none answered (R5.1: the survey runs twice a year), else
    `status` as judged."""
    return MISSING if answers == 0 and surveyed > 0 else status


def nps_counts(scores) -> dict[str, int]:
    """Sum, answers, promoters (9–10) and detractors (0–6) of NPS scores."""
    scores = list(scores)
    return {
        "total": sum(scores),
        "answers": len(scores),
        "promoters": sum(1 for s in scores if s >= 9),
        "detractors": sum(1 for s in scores if s <= 6),
    }


def nps_mean(total: int, answers: int) -> Fraction | None:
    return Fraction(total, answers) if answers else None


def nps_classic(promoters: int, detractors: int, answers: int) -> Fraction | None:
    """% of 9–10 minus % of 0–6, in points."""
    return Fraction(100 * (promoters - detractors), answers) if answers else None


def as_json_number(kpi: str, value: Fraction | None):
    if value is None:
        return None
    if kpi == KPI.ESCALATIONS and value.denominator == 1:
        return int(value)
    return float(value)


def as_decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.000001"))


def _number(value: Decimal) -> str:
    """A decimal as people of the active language write it ("2.5", "2,5"): no exponent, no
    trailing zeros."""
    return formats.number_format(value.normalize(), use_l10n=True)


@dataclass(frozen=True)
class Target:
    """A KPI target as judging reads it (a `Threshold` row is read alike)."""

    comparison: str
    value: Decimal


def format_target(kpi: str, threshold) -> str:
    """ "at most 1 %", "at least 7.5", "at most 2"; empty when no target applies."""
    if threshold is None or kpi in INFORMATIVE_KPIS:
        return ""
    value = Decimal(threshold.value)
    shown = f"{_number(value * 100)} %" if kpi in RATE_KPIS else _number(value)
    return _("%(comparison)s %(value)s") % {
        "comparison": Comparison(threshold.comparison).label,
        "value": shown,
    }


def stored_target(kpi: str, snapshot) -> str:
    """The target a snapshot was judged against, in the active language: from its facts
    (comparison and value), else as it was written then (rows judged before they were kept)."""
    if not snapshot.comparison:
        return snapshot.target
    return format_target(kpi, Target(snapshot.comparison, snapshot.target_value))


def format_value(kpi: str, value: Fraction | None) -> str:
    if value is None:
        return _("no data")
    if kpi in RATE_KPIS:
        return f"{_number(as_decimal(value * 100).quantize(Decimal('0.01')))} %"
    if kpi == KPI.ESCALATIONS:
        return str(as_json_number(kpi, value))
    if kpi in NPS_KPIS:
        return _number(as_decimal(value).quantize(Decimal("0.01")))
    raise ValueError(f"Unknown KPI {kpi!r}")


def format_remedy(kpi: str, count: int | None) -> str:
    """What would bring a failing KPI back within its target, in words."""
    if count is None:
        return _("It can no longer meet its target this month.")
    if kpi == KPI.CSAT_POSITIVE_SHARE:
        return ngettext(
            "%(count)s more positive rating would bring it back within the target.",
            "%(count)s more positive ratings would bring it back within the target.",
            count,
        ) % {"count": count}
    if kpi == KPI.CSAT_RESPONSE_RATE:
        return ngettext(
            "%(count)s more rated case would bring it back within the target.",
            "%(count)s more rated cases would bring it back within the target.",
            count,
        ) % {"count": count}
    if kpi == KPI.RESPONSE_OVERDUE_RATE:
        return ngettext(
            "%(count)s more case answered in time would bring it back within the target.",
            "%(count)s more cases answered in time would bring it back within the target.",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)s more case resolved in time would bring it back within the target.",
        "%(count)s more cases resolved in time would bring it back within the target.",
        count,
    ) % {"count": count}


def format_figures(kpi: str, numerator: int, denominator: int, value: Fraction | None) -> str:
    """The figures behind a KPI, for a breach and the reason of a revocation."""
    if kpi == KPI.ESCALATIONS:
        return _("%(numerator)s escalated of %(denominator)s cases") % {
            "numerator": numerator,
            "denominator": denominator,
        }
    if kpi in (KPI.NPS_MEAN, KPI.NPS_CLASSIC):
        return _("%(value)s from %(denominator)s answers") % {
            "value": format_value(kpi, value),
            "denominator": denominator,
        }
    return _("%(numerator)s of %(denominator)s = %(value)s") % {
        "numerator": numerator,
        "denominator": denominator,
        "value": format_value(kpi, value),
    }
