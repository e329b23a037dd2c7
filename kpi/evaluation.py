"""Evaluating the support KPIs of a period (R5.1–R5.6) and enforcing them (R5.8).

The counts come from SQL aggregates grouped by solution (the number of queries does not grow
with the number of solutions); judging the counts is `kpi.judging`, with no database.
"""

from collections import defaultdict, namedtuple
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import Solution
from support_audit.models import RemediationPlan

from . import bulk, early_warnings, finality, judging, texts
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
    "comparison",
    "target_value",
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
                        threshold.comparison if threshold else "",
                        threshold.value if threshold else None,
                        status,
                        not final,
                        evaluated_at,
                        as_of,
                    )
                )
            if status != judging.FAIL:
                continue
            if final:
                failed.append((kpi, numerator, denominator, value, threshold, Breach.Basis.FINAL))
            elif period.is_month and judging.irreversible(kpi, status, month_over=over):
                failed.append(
                    (kpi, numerator, denominator, value, threshold, Breach.Basis.IRREVERSIBLE)
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


StoredFigures = namedtuple(
    "StoredFigures", "numerator denominator value target comparison target_value status"
)


def _final_snapshots(period: Period, solutions: QuerySet) -> dict[int, dict[str, StoredFigures]]:
    """The figures of the final snapshots of the period per solution, by KPI (one query, no
    model instance built)."""
    frozen = defaultdict(dict)
    for solution_id, kpi, *figures in KPISnapshot.objects.filter(
        solution__in=solutions.values("pk"), period=period.name, provisional=False
    ).values_list("solution_id", "kpi", *StoredFigures._fields):
        frozen[solution_id][kpi] = StoredFigures(*figures)
    return frozen


def _stored_result(period: Period, slug: str, stored: dict[str, StoredFigures]) -> dict:
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
            "target": judging.stored_target(kpi, snapshot),
            "status": snapshot.status,
        }
    return {
        "solution": slug,
        "period": period.name,
        "final": True,
        "kpis": kpis,
        "action": ACTION_NONE,
    }


def _enforce(period: Period, ids: list[int], failures) -> dict[int, str]:
    """Breaches of the period, once each, and what they did to the badge (R5.8), for a set of
    solutions in a constant number of queries.

    The certifications of the failing solutions are locked first (in pk order): that
    serialises two evaluations of the same solutions, so the breaches read next are all there
    are, and the new ones are decided once. Breaches are inserted together, and the badges
    revoked, or marked at risk when a remediation plan in force covers every new failure,
    together through `catalogue.badge`.

    Returns the action per solution, from the breaches recorded for the period (so a second
    evaluation reports what the first one did, and does nothing again).
    """
    certifications = badge.locked(solution_ids=list(failures)) if failures else {}
    recorded = defaultdict(set)
    kpis_recorded = defaultdict(set)
    for solution_id, kpi, action in Breach.objects.filter(
        solution_id__in=ids, period=period.name
    ).values_list("solution_id", "kpi", "action"):
        recorded[solution_id].add(action)
        kpis_recorded[solution_id].add(kpi)
    new = {}
    for solution_id in ids:
        fresh = [f for f in failures.get(solution_id, ()) if f[0] not in kpis_recorded[solution_id]]
        if fresh:
            new[solution_id] = fresh
    if new:
        _enforce_new(period, new, certifications, recorded)
    actions = {}
    for solution_id, done in recorded.items():
        if Breach.Action.REVOKED in done:
            actions[solution_id] = Breach.Action.REVOKED.value
        elif Breach.Action.COVERED in done:
            actions[solution_id] = Breach.Action.COVERED.value
    return actions


def _enforce_new(period: Period, new, certifications, recorded) -> None:
    """Record the new breaches (solution id → failed KPIs, in slug order) and act on the
    badges (their certifications locked); add the actions taken to `recorded`."""
    covered = defaultdict(set)
    for solution_id, kpis in RemediationPlan.objects.filter(
        solution_id__in=list(new), closed_at__isnull=True
    ).values_list("solution_id", "covers_kpis"):
        covered[solution_id].update(kpis or [])
    breaches, revocations, at_risk = [], [], []
    for solution_id, failed in new.items():
        certification = certifications.get(solution_id)
        certified = certification is not None and certification.status in BADGE_ON
        uncovered = []
        for kpi, numerator, denominator, value, threshold, basis in failed:
            if not certified:
                action = Breach.Action.NONE
            elif kpi in covered[solution_id]:
                action = Breach.Action.COVERED
            else:
                action = Breach.Action.REVOKED
                uncovered.append((kpi, numerator, denominator, value, threshold, basis))
            breaches.append(
                Breach(
                    solution_id=solution_id,
                    period=period.name,
                    kpi=kpi,
                    action=action,
                    basis=basis,
                    text_code=texts.FIGURES,
                    text_params=texts.figures(kpi, numerator, denominator).params,
                )
            )
            recorded[solution_id].add(action)
        if not certified:
            continue
        if uncovered:
            revocations.append((certification, texts.failed_reason(period, uncovered)))
        else:
            at_risk.append((certification, texts.failed_reason(period, failed)))
    # A solution without a certification is not locked: a concurrent evaluation may have
    # recorded its breach (action "none") first.
    Breach.objects.bulk_create(breaches, ignore_conflicts=True)
    badge.revoke_many(revocations, by=badge.SYSTEM)
    badge.mark_at_risk_many(at_risk, by=badge.SYSTEM)
