"""Evaluating the support KPIs of a period (R5.1–R5.6) and enforcing them (R5.8).

The counts come from SQL aggregates grouped by solution (the number of queries does not grow
with the number of solutions); judging the counts is `kpi.judging`, with no database.
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import badge
from applications.enums import CertificationStatus
from applications.models import Certification, Solution
from support_audit.models import RemediationPlan

from . import bulk, early_warnings, finality, judging
from .counting import case_counts, case_inputs, nps_counts, nps_inputs, thresholds_for
from .customers import surveyed_without_answer
from .models import KPI, Breach, KPISnapshot
from .periods import Period, parse_period
from .surveys import survey_missing_record

BADGE_ON = (CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)
ACTION_NONE = "none"


def _solutions_queryset(solutions) -> QuerySet:
    if solutions is None:
        return Solution.objects.filter(certification__isnull=False)
    if isinstance(solutions, QuerySet):
        return solutions
    ids = [getattr(s, "pk", s) for s in solutions]
    return Solution.objects.filter(pk__in=ids)


SNAPSHOT_FIELDS = (
    "solution_id",
    "period",
    "kpi",
    "numerator",
    "denominator",
    "value",
    "target",
    "status",
    "provisional",
    "evaluated_at",
    "as_of",
)
SNAPSHOT_KEY = ("solution_id", "period", "kpi")
SNAPSHOT_UPDATE = [field for field in SNAPSHOT_FIELDS if field not in SNAPSHOT_KEY]


def _store_snapshots(rows: list[tuple]) -> None:
    """Write snapshot rows (in SNAPSHOT_FIELDS order), updating those of the same solution,
    period and KPI in place."""
    with transaction.atomic():
        if bulk.upsert(KPISnapshot, SNAPSHOT_FIELDS, SNAPSHOT_KEY, SNAPSHOT_UPDATE, rows) is None:
            KPISnapshot.objects.bulk_create(
                [KPISnapshot(**dict(zip(SNAPSHOT_FIELDS, row, strict=True))) for row in rows],
                update_conflicts=True,
                unique_fields=["solution", "period", "kpi"],
                update_fields=SNAPSHOT_UPDATE,
            )


def evaluate_period(
    period, *, solutions=None, as_of: datetime | None = None, warn: bool = True
) -> list[dict]:
    """Evaluate `period` ("2026-10" or "2026-H2", or a `Period`) for `solutions` (a queryset,
    solutions or ids; by default every solution that was ever certified) at `as_of`.

    A month's figures are final once the month is over and every case registered in it is
    resolved or past its resolution deadline (`kpi.finality`); a half-year's once it is over.
    Snapshots are written (updated in place while provisional). A final month is never
    evaluated again: its stored figures are reported, and cases that arrive later do not
    change them until an analyst re-opens the month. A failed KPI of a certified solution is
    recorded as a breach once and enforced on final figures, or earlier when no later data can
    undo it (`judging.irreversible`); the badge goes "at risk" when a remediation plan in force
    covers every new failure, else it is revoked. A month's KPI that fails before it can be
    enforced warns the partner (`kpi.early_warnings`; not with `warn=False`, for measurements).
    Returns one result per solution, in slug order, each saying whether its figures are final.
    """
    if not isinstance(period, Period):
        period = parse_period(period)
    as_of = as_of or timezone.now()
    over = period.is_over(as_of)
    queryset = _solutions_queryset(solutions)
    chosen = list(queryset.order_by("slug").values_list("pk", "slug"))
    if not chosen:
        return []
    thresholds = thresholds_for(period)
    if period.is_month:
        counts = case_counts(period, queryset, as_of)
        make_inputs = case_inputs
    else:
        counts = nps_counts(period, queryset)
        make_inputs = nps_inputs
    frozen = {}
    if period.is_month or not over:
        frozen = _final_snapshots(period, queryset)
    # R5.1: a half-year over with active customers and no answer is a missing survey.
    missing = surveyed_without_answer(period, queryset) if over and not period.is_month else {}
    targets = {kpi: judging.format_target(kpi, thresholds.get(kpi)) for kpi in make_inputs({})}

    evaluated_at = timezone.now()
    results, snapshots, failures, warnings = [], [], {}, []
    for solution_id, slug in chosen:
        if period.is_month and solution_id in frozen:
            results.append(_stored_result(period, slug, frozen[solution_id]))
            continue
        solution_counts = counts.get(solution_id, {})
        final = finality.is_final(solution_counts, month_over=over) if period.is_month else over
        kpis = {}
        failed = []
        for kpi, (numerator, denominator) in make_inputs(solution_counts).items():
            threshold = thresholds.get(kpi)
            value, status = judging.judge(kpi, numerator, denominator, threshold)
            if kpi == KPI.NPS_MEAN:
                status = judging.nps_status(status, denominator, missing.get(solution_id, 0))
            target = targets[kpi]
            kpis[str(kpi)] = {
                "value": judging.as_json_number(kpi, value),
                "numerator": numerator,
                "denominator": denominator,
                "target": target,
                "status": status,
            }
            if solution_id not in frozen:
                snapshots.append(
                    (
                        solution_id,
                        period.name,
                        str(kpi),
                        numerator,
                        denominator,
                        judging.as_decimal(value),
                        target,
                        status,
                        not final,
                        evaluated_at,
                        as_of,
                    )
                )
            if status != judging.FAIL:
                continue
            if final:
                failed.append((kpi, numerator, denominator, value, target, Breach.Basis.FINAL))
            elif period.is_month and judging.irreversible(kpi, status, month_over=over):
                failed.append(
                    (kpi, numerator, denominator, value, target, Breach.Basis.IRREVERSIBLE)
                )
            elif period.is_month:
                warnings.append((solution_id, kpi, numerator, denominator, threshold))
        if failed:
            failures[solution_id] = failed
        results.append(
            {
                "solution": slug,
                "period": period.name,
                "final": final,
                "kpis": kpis,
                "action": ACTION_NONE,
            }
        )

    # One transaction: final figures are never stored without their breaches and badge
    # changes (a final month is not evaluated again, so it would never be enforced).
    with transaction.atomic():
        if snapshots:
            _store_snapshots(snapshots)
        if over:
            actions = _enforce(period, [solution_id for solution_id, _slug in chosen], failures)
            for solution_id, action in survey_missing_record(period, missing).items():
                actions.setdefault(solution_id, action)
            for (solution_id, _slug), result in zip(chosen, results, strict=True):
                result["action"] = actions.get(solution_id, ACTION_NONE)
        if warn and warnings:
            early_warnings.warnings_record(period, warnings, month_over=over)
    return results


def _final_snapshots(period: Period, solutions: QuerySet) -> dict[int, dict[str, KPISnapshot]]:
    """The final snapshots of the period per solution, by KPI (one query)."""
    frozen = defaultdict(dict)
    for snapshot in KPISnapshot.objects.filter(
        solution__in=solutions.values("pk"), period=period.name, provisional=False
    ):
        frozen[snapshot.solution_id][snapshot.kpi] = snapshot
    return frozen


def _stored_result(period: Period, slug: str, stored: dict[str, KPISnapshot]) -> dict:
    """The result of a final month as it was judged: its stored figures."""
    kpis = {}
    for kpi in judging.CASE_KPIS:
        snapshot = stored.get(kpi)
        if snapshot is None:
            continue
        value = None
        if snapshot.value is not None:
            value = judging.kpi_value(kpi, snapshot.numerator, snapshot.denominator)
        kpis[str(kpi)] = {
            "value": judging.as_json_number(kpi, value),
            "numerator": snapshot.numerator,
            "denominator": snapshot.denominator,
            "target": snapshot.target,
            "status": snapshot.status,
        }
    return {
        "solution": slug,
        "period": period.name,
        "final": True,
        "kpis": kpis,
        "action": ACTION_NONE,
    }


BASIS_NOTES = {
    Breach.Basis.FINAL: gettext_lazy("on the month's final figures"),
    Breach.Basis.IRREVERSIBLE: gettext_lazy(
        "before the month's figures were final: no later data can undo it"
    ),
}


def _reason(period: Period, failed) -> str:
    return "; ".join(
        _("%(kpi)s failed in %(period)s: %(figures)s, target %(target)s (%(basis)s)")
        % {
            "kpi": KPI(kpi).label,
            "period": period.name,
            "figures": judging.format_figures(kpi, numerator, denominator, value),
            "target": target,
            "basis": BASIS_NOTES[basis] if period.is_month else _("on final figures"),
        }
        for kpi, numerator, denominator, value, target, basis in failed
    )


def _enforce(period: Period, ids: list[int], failures) -> dict[int, str]:
    """Breaches of the period, once each, and what they did to the badge (R5.8).

    Returns the action per solution, from the breaches recorded for the period (so a second
    evaluation reports what the first one did, and does nothing again).
    """
    recorded = defaultdict(set)
    for solution_id, action in Breach.objects.filter(
        solution_id__in=ids, period=period.name
    ).values_list("solution_id", "action"):
        recorded[solution_id].add(action)
    if failures:
        covered = defaultdict(set)
        for solution_id, kpis in RemediationPlan.objects.filter(
            solution_id__in=list(failures), closed_at__isnull=True
        ).values_list("solution_id", "covers_kpis"):
            covered[solution_id].update(kpis or [])
        failing = Solution.objects.filter(pk__in=list(failures)).select_related("certification")
        for solution in failing.order_by("slug"):
            recorded[solution.pk].update(
                _enforce_solution(period, solution, failures[solution.pk], covered[solution.pk])
            )
    actions = {}
    for solution_id, done in recorded.items():
        if Breach.Action.REVOKED in done:
            actions[solution_id] = Breach.Action.REVOKED.value
        elif Breach.Action.COVERED in done:
            actions[solution_id] = Breach.Action.COVERED.value
    return actions


def _certification(solution) -> Certification | None:
    try:
        return solution.certification
    except Certification.DoesNotExist:
        return None


def _enforce_solution(period: Period, solution, failed, covered: set) -> set[str]:
    """Record the new breaches of one solution and act on its badge; the actions taken."""
    certification = _certification(solution)
    with transaction.atomic():
        if certification is not None:
            # Serialises two evaluations of the same solution: breaches are decided once.
            certification = Certification.objects.select_for_update().get(pk=certification.pk)
        certified = certification is not None and certification.status in BADGE_ON
        new = []
        for kpi, numerator, denominator, value, target, basis in failed:
            if not certified:
                action = Breach.Action.NONE
            elif kpi in covered:
                action = Breach.Action.COVERED
            else:
                action = Breach.Action.REVOKED
            breach, created = Breach.objects.get_or_create(
                solution=solution,
                period=period.name,
                kpi=kpi,
                defaults={
                    "action": action,
                    "basis": basis,
                    "detail": judging.format_figures(kpi, numerator, denominator, value),
                },
            )
            if created:
                new.append((breach, (kpi, numerator, denominator, value, target, basis)))
        if not new or not certified:
            return {breach.action for breach, _figures in new}
        uncovered = [figures for breach, figures in new if breach.action == Breach.Action.REVOKED]
        if uncovered:
            badge.revoke(
                certification=certification,
                by=badge.SYSTEM,
                reason=_reason(period, uncovered),
            )
        else:
            badge.mark_at_risk(
                certification=certification,
                by=badge.SYSTEM,
                reason=_reason(period, [figures for _breach, figures in new]),
            )
    return {breach.action for breach, _figures in new}
