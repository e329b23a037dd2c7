"""When a month's figures are final, the cases that arrive after that, and re-opening a month.

A month's figures are **final** once the month is over (in the reporting time zone) and every
case registered in it (pre-sale questions aside) is resolved or past its resolution deadline
at the evaluation time: nothing left in it can still be judged differently. Until then they
are provisional, and the daily job evaluates the month again (`kpi.tasks`).

A final month is not evaluated again. A case registered in it that arrives afterwards is
stored, marked late (`SupportCase.arrived_late_at`) and listed to analysts on the KPI page; it
changes nothing until an analyst re-opens the month's evaluation (`month_reopen`), which is
recorded and evaluates the month again with every case it has.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import KPI, KPISnapshot, MonthReopening, SupportCase
from .periods import month_of, parse_period

BATCH_SIZE = 2000
# A month's snapshots are written together: one KPI tells whether the month is final.
MARKER_KPI = KPI.RESOLUTION_OVERDUE_RATE


def pending(as_of: datetime) -> Q:
    """A case that keeps its month provisional at `as_of`: not resolved by then, and its
    resolution deadline not passed (a case due exactly at `as_of` may still be resolved in
    time; one resolved exactly at `as_of` is resolved)."""
    return (Q(resolved_at__isnull=True) | Q(resolved_at__gt=as_of)) & Q(
        resolution_due_at__gte=as_of
    )


def is_final(counts: dict, *, month_over: bool) -> bool:
    """Whether a month's counts (`counting.case_counts`) are final."""
    return month_over and counts.get("pending", 0) == 0


def final_months(solution_ids: Iterable[int], periods: Iterable[str]) -> set[tuple[int, str]]:
    """(solution id, month) of the given ones whose figures are final (one query)."""
    solution_ids, periods = set(solution_ids), set(periods)
    if not solution_ids or not periods:
        return set()
    return set(
        KPISnapshot.objects.filter(
            solution_id__in=solution_ids, period__in=periods, kpi=MARKER_KPI, provisional=False
        ).values_list("solution_id", "period")
    )


def late_arrivals(cases: Iterable[tuple[int, str, datetime]]) -> list[tuple[int, str]]:
    """(solution id, case id) of the new cases among `cases` (solution id, case id,
    registered at) whose month's figures are final already: they arrive late. Call before the
    cases are stored; a query or two, none when the batch has no case of a final month."""
    cases = [(solution_id, case_id, month_of(at)) for solution_id, case_id, at in cases]
    final = final_months({case[0] for case in cases}, {case[2] for case in cases})
    candidates = [(s, case_id) for s, case_id, month in cases if (s, month) in final]
    if not candidates:
        return []
    stored = set()
    for solution_id, case_ids in _by_solution(candidates).items():
        for start in range(0, len(case_ids), BATCH_SIZE):
            stored |= {
                (solution_id, case_id)
                for case_id in SupportCase.objects.filter(
                    solution_id=solution_id, case_id__in=case_ids[start : start + BATCH_SIZE]
                ).values_list("case_id", flat=True)
            }
    return [key for key in candidates if key not in stored]


def mark_late(keys: list[tuple[int, str]], now: datetime) -> int:
    """Mark the stored cases `keys` (solution id, case id) as arrived late at `now`."""
    marked = 0
    for solution_id, case_ids in _by_solution(keys).items():
        for start in range(0, len(case_ids), BATCH_SIZE):
            marked += SupportCase.objects.filter(
                solution_id=solution_id,
                case_id__in=case_ids[start : start + BATCH_SIZE],
                arrived_late_at__isnull=True,
            ).update(arrived_late_at=now)
    return marked


def _by_solution(keys) -> dict[int, list[str]]:
    grouped = defaultdict(list)
    for solution_id, case_id in keys:
        grouped[solution_id].append(case_id)
    return grouped


def open_months(as_of: datetime) -> dict[str, list[int]]:
    """The months over at `as_of` whose figures are not final yet, each with the certified
    solutions concerned (one query): the daily job evaluates them again."""
    current = month_of(as_of)
    months = defaultdict(set)
    for solution_id, period in (
        KPISnapshot.objects.filter(
            kpi=MARKER_KPI,
            provisional=True,
            period__lt=current,
            solution__certification__isnull=False,
        )
        .exclude(period__contains="-H")
        .values_list("solution_id", "period")
    ):
        months[period].add(solution_id)
    return {period: sorted(ids) for period, ids in sorted(months.items())}


def month_reopen(*, solution, period: str, by, reason: str, as_of: datetime | None = None):
    """Re-open the evaluation of a solution's final month, for an analyst: recorded with the
    figures it had, then the month is evaluated again with every case it has (the late ones
    too), and judged as any month is. Returns the re-opening and the new result."""
    # kpi.evaluation imports this module, so not at the top.
    from .evaluation import evaluate_period  # noqa: PLC0415

    if not by.has_perm("kpi.reopen_month", solution):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason."))
    parsed = parse_period(period)
    if not parsed.is_month:
        raise ValidationError(_("Only a month's evaluation is re-opened."))
    with transaction.atomic():
        snapshots = list(
            KPISnapshot.objects.select_for_update().filter(solution=solution, period=period)
        )
        if not any(s.kpi == MARKER_KPI and not s.provisional for s in snapshots):
            raise ValidationError(_("Only a month whose figures are final is re-opened."))
        reopening = MonthReopening.objects.create(
            solution=solution,
            period=period,
            by=by,
            reason=reason.strip(),
            at=timezone.now(),
            figures_before={s.kpi: [s.numerator, s.denominator, s.status] for s in snapshots},
        )
        KPISnapshot.objects.filter(solution=solution, period=period).update(provisional=True)
        [result] = evaluate_period(parsed, solutions=[solution.pk], as_of=as_of)
    return reopening, result
