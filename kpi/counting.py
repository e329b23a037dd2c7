"""Counting a period's KPIs (R5.1–R5.6): the targets in force, what counts as overdue,
positive, escalated, promoter or detractor, and the counts per solution in one aggregate
query each (the number of queries does not grow with the number of solutions)."""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum

from . import finality
from .models import KPI, NPSAnswer, SupportCase, Threshold
from .periods import Period


def thresholds_for(period: Period) -> dict[str, Threshold]:
    """The target of each KPI for the period: the newest row valid before the period ends."""
    applying = {}
    for row in Threshold.objects.filter(valid_from__lt=period.end).order_by("kpi", "-valid_from"):
        applying.setdefault(row.kpi, row)
    return applying


def overdue(done: str, due: str, as_of: datetime) -> Q:
    """A case late on a step (R5.4, R5.5): done after its deadline, or not done and the
    deadline passed at `as_of`."""
    return Q(**{f"{done}__gt": F(due)}) | Q(**{f"{done}__isnull": True, f"{due}__lt": as_of})


def case_counts(period: Period, solutions: QuerySet, as_of: datetime) -> dict[int, dict]:
    """The month's counts per solution, in one aggregate query (pre-sale questions excluded)."""
    response_overdue = overdue("first_response_at", "response_due_at", as_of)
    resolution_overdue = overdue("resolved_at", "resolution_due_at", as_of)
    pending = finality.pending(as_of)
    rows = (
        SupportCase.objects.filter(
            solution__in=solutions.values("pk"),
            presale=False,
            registered_at__gte=period.start,
            registered_at__lt=period.end,
        )
        .order_by()
        .values("solution_id")
        .annotate(
            cases=Count("pk"),
            response_overdue=Count("pk", filter=response_overdue),
            resolution_overdue=Count("pk", filter=resolution_overdue),
            rated=Count("pk", filter=Q(csat__isnull=False)),
            positive=Count("pk", filter=Q(csat__gte=4)),
            escalated=Count("pk", filter=Q(escalation_level__gte=1)),
            pending=Count("pk", filter=pending),
        )
    )
    return {row.pop("solution_id"): row for row in rows}


def nps_counts(period: Period, solutions: QuerySet) -> dict[int, dict]:
    """The half-year's NPS answers per solution, in one aggregate query."""
    rows = (
        NPSAnswer.objects.filter(solution__in=solutions.values("pk"), half_year=period.name)
        .order_by()
        .values("solution_id")
        .annotate(
            answers=Count("pk"),
            total=Sum("score"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
    )
    return {row.pop("solution_id"): row for row in rows}


def case_inputs(counts: dict) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each case KPI from a solution's month counts."""
    cases = counts.get("cases", 0)
    return {
        KPI.RESPONSE_OVERDUE_RATE: (counts.get("response_overdue", 0), cases),
        KPI.RESOLUTION_OVERDUE_RATE: (counts.get("resolution_overdue", 0), cases),
        KPI.CSAT_RESPONSE_RATE: (counts.get("rated", 0), cases),
        KPI.CSAT_POSITIVE_SHARE: (counts.get("positive", 0), counts.get("rated", 0)),
        KPI.ESCALATIONS: (counts.get("escalated", 0), cases),
    }


def nps_inputs(counts: dict) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of the NPS KPIs from a solution's half-year counts."""
    answers = counts.get("answers", 0)
    return {
        KPI.NPS_MEAN: (counts.get("total") or 0, answers),
        KPI.NPS_CLASSIC: (counts.get("promoters", 0) - counts.get("detractors", 0), answers),
    }
