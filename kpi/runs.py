"""The ledger of the KPI jobs: every run of a period knows which solutions it must evaluate and
which are done, so a job completes exactly once whatever fails on the way.

A run is started by a job (`start`): its solutions are written down, then handed to workers in
chunks. A chunk (`evaluate`) evaluates its solutions together, as the counting is built to;
when that fails, it evaluates them one by one, so one solution's failure is recorded with its
error and stops none of the others. Evaluating is idempotent (snapshots are updated in place,
breaches and badge changes recorded once), so a chunk run twice, or twice at once, doubles
nothing. A transient error (the database or the broker gone) is raised, for the task to be
retried. The sweep (`sweep`, every quarter of an hour) hands again to workers what a lost
worker or a broker outage left pending and what failed, with back-off, and starts the run of a
period that ended if the scheduler missed it.
"""

import logging
import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.utils import timezone

from catalogue.models import Solution
from certportal.retrying import TRANSIENT_ERRORS

from .evaluation import evaluate_period
from .models import EvaluationRun, RunItem
from .periods import parse_period, previous_half_year, previous_month

logger = logging.getLogger(__name__)
Kind = EvaluationRun.Kind
State = RunItem.State


def _stale() -> timedelta:
    """How long a solution handed to a worker may stay pending before the sweep hands it
    again: longer than a task may run (its hard time limit)."""
    return timedelta(seconds=settings.KPI_RUN_STALE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Wait before trying a failed solution again: 15, 30, 60 … minutes, at most a day."""
    return timedelta(minutes=min(15 * 2 ** max(attempts - 1, 0), 24 * 60))


def start(
    *,
    kind: str,
    period: str,
    as_of: datetime,
    solution_ids: list[int] | None = None,
    key: str | None = None,
) -> EvaluationRun:
    """Write down a run of `period` at `as_of` over `solution_ids` (by default every solution
    that was ever certified) and hand it to workers. A `key` seen before (the same task
    delivered again) finds its run and hands on what is not done."""
    parse_period(period)  # a malformed period is refused here, not in every chunk
    key = key or f"run-{uuid.uuid4()}"
    if solution_ids is None:
        solution_ids = list(
            Solution.objects.filter(certification__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    with transaction.atomic():
        run, created = EvaluationRun.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "period": period,
                "as_of": as_of,
                "solution_count": len(solution_ids),
            },
        )
        if created:
            RunItem.objects.bulk_create(
                [RunItem(run=run, solution_id=pk) for pk in solution_ids], batch_size=1000
            )
    if created and not solution_ids:
        _complete_if_done(run)
    hand_on(run, due_only=False)
    return run


def chunk_count(run: EvaluationRun) -> int:
    """How many chunks the run's solutions make."""
    return math.ceil(run.solution_count / settings.KPI_RUN_CHUNK_SIZE)


def hand_on(run: EvaluationRun, *, due_only: bool = True, now: datetime | None = None) -> int:
    """Send the solutions of `run` not done to workers, in chunks; the number of chunks sent.

    With `due_only`, only those whose next attempt is due (the sweep). A chunk is marked as
    handed on once the broker has taken it: when the broker is down, the rest stays due for the
    next sweep.
    """
    # kpi.tasks imports this module, so not at the top.
    from .tasks import evaluate_chunk  # noqa: PLC0415

    now = now or timezone.now()
    undone = run.items.exclude(state=State.DONE)
    if due_only:
        undone = undone.filter(next_attempt_at__lte=now, attempts__lt=settings.KPI_RUN_MAX_ATTEMPTS)
    ids = list(undone.order_by("solution_id").values_list("solution_id", flat=True))
    sent, size = 0, settings.KPI_RUN_CHUNK_SIZE
    for i in range(0, len(ids), size):
        chunk = ids[i : i + size]
        try:
            evaluate_chunk.delay(run_id=run.pk, solution_ids=chunk)
        except TRANSIENT_ERRORS as error:
            logger.warning(
                "KPI run %s: the broker refused a chunk, the sweep sends it (%s)", run.pk, error
            )
            break
        # Not before: an eager run (no broker) evaluates inside delay(), and a failure there
        # sets its own next attempt.
        run.items.filter(solution_id__in=chunk, next_attempt_at__lte=now).exclude(
            state=State.DONE
        ).update(next_attempt_at=timezone.now() + _stale())
        sent += 1
    return sent


def evaluate(run_id: int, solution_ids: list[int]) -> int:
    """Evaluate the solutions of one chunk that are not done; the number now done."""
    run = EvaluationRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    ids = list(
        run.items.filter(solution_id__in=solution_ids)
        .exclude(state=State.DONE)
        .values_list("solution_id", flat=True)
    )
    if not ids:
        return 0
    try:
        evaluate_period(run.period, solutions=ids, as_of=run.as_of)
        done = ids
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception(
            "KPI run %s: a chunk failed; its solutions are evaluated one by one", run.pk
        )
        done = [pk for pk in ids if _evaluate_one(run, pk)]
    _mark_done(run, done)
    _complete_if_done(run)
    return len(done)


def _evaluate_one(run: EvaluationRun, solution_id: int) -> bool:
    try:
        evaluate_period(run.period, solutions=[solution_id], as_of=run.as_of)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        logger.exception("KPI run %s: solution %s failed", run.pk, solution_id)
        item = run.items.get(solution_id=solution_id)
        item.state = State.FAILED
        item.attempts += 1
        item.error = f"{type(error).__name__}: {error}"[:2000]
        item.next_attempt_at = timezone.now() + backoff(item.attempts)
        item.save(update_fields=["state", "attempts", "error", "next_attempt_at"])
        return False
    return True


def _mark_done(run: EvaluationRun, solution_ids: list[int]) -> None:
    if solution_ids:
        run.items.filter(solution_id__in=solution_ids).exclude(state=State.DONE).update(
            state=State.DONE, done_at=timezone.now(), error=""
        )


def _complete_if_done(run: EvaluationRun) -> None:
    """A run whose solutions are all done is complete, and keeps only its counts."""
    if run.items.exclude(state=State.DONE).exists():
        return
    with transaction.atomic():
        EvaluationRun.objects.filter(pk=run.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        run.items.all().delete()


def with_counts(runs: QuerySet) -> QuerySet:
    """`runs` with the number of their solutions pending, failed and done."""
    return runs.annotate(
        pending=Count("items", filter=Q(items__state=State.PENDING)),
        failed=Count("items", filter=Q(items__state=State.FAILED)),
    ).annotate(
        done=ExpressionWrapper(
            F("solution_count") - F("pending") - F("failed"), output_field=IntegerField()
        )
    )


def retry(runs) -> int:
    """Staff ask for runs to be completed now: their failed solutions are tried again however
    often they failed, at once. The number of chunks sent."""
    sent = 0
    for run in runs.filter(completed_at__isnull=True):
        run.items.exclude(state=State.DONE).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        sent += hand_on(run)
    return sent


def sweep(now: datetime | None = None) -> int:
    """Complete the incomplete runs and start those the scheduler missed; chunks sent."""
    now = now or timezone.now()
    sent = 0
    for run in EvaluationRun.objects.filter(completed_at__isnull=True).order_by("started_at"):
        _complete_if_done(run)
        sent += hand_on(run, now=now)
    for period in _periods_ended_without_a_run(now):
        start(kind=Kind.PERIOD_ENDED, period=period, as_of=now, key=f"catch-up-{period}")
        sent += 1
    return sent


def _periods_ended_without_a_run(now: datetime) -> list[str]:
    """The month (and half-year) that ended before `now`, when no run of it was started: the
    scheduler was down at its time. Only once the scheduled hour has passed by an hour."""
    if now - now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) < timedelta(hours=3):
        return []
    periods = [previous_month(now)]
    if now.month in (1, 7):
        periods.append(previous_half_year(now))
    started = set(
        EvaluationRun.objects.filter(kind=Kind.PERIOD_ENDED, period__in=periods).values_list(
            "period", flat=True
        )
    )
    return [period for period in periods if period not in started]
