"""The KPI jobs: one task per period fanning out over the solutions in chunks. The monthly and
half-yearly evaluations judge the period that ended; a month whose figures are not final then
(cases still open within their deadline) is evaluated again daily until it is final; the
current month "so far" is computed daily too, and only warns."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from certportal.retrying import RETRY_ON_TRANSIENT_ERRORS

from . import runs
from .early_warnings import send_warnings
from .finality import open_months
from .models import EvaluationRun
from .periods import month_of, previous_half_year, previous_month
from .surveys import survey_invitations_send, survey_missing_notify

Kind = EvaluationRun.Kind


def _moment(as_of: str | None):
    return parse_datetime(as_of) if as_of else timezone.now()


def _run(task, *, kind: str, period: str, as_of, solution_ids=None) -> int:
    """Start (or, for the same task delivered again, continue) a run; its number of chunks."""
    run = runs.start(
        kind=kind,
        period=period,
        as_of=as_of,
        solution_ids=solution_ids,
        key=task.request.id and f"task-{task.request.id}-{period}",
    )
    return runs.chunk_count(run)


@shared_task(bind=True, name="kpi.evaluate_month", **RETRY_ON_TRANSIENT_ERRORS)
def evaluate_month(self, *, period: str | None = None, as_of: str | None = None) -> int:
    """Evaluate `period` (by default the month before now) for every certified solution: a
    run with its ledger (kpi.runs), handed to workers in chunks; returns the number of
    chunks."""
    now = _moment(as_of)
    return _run(self, kind=Kind.PERIOD_ENDED, period=period or previous_month(now), as_of=now)


@shared_task(name="kpi.evaluate_chunk", **RETRY_ON_TRANSIENT_ERRORS)
def evaluate_chunk(*, run_id: int, solution_ids: list[int]) -> int:
    """Evaluate one chunk of a run's solutions; idempotent (what is done is skipped,
    snapshots are updated in place, breaches and badge changes recorded once)."""
    return runs.evaluate(run_id, solution_ids)


@shared_task(bind=True, name="kpi.evaluate_half_year", **RETRY_ON_TRANSIENT_ERRORS)
def evaluate_half_year(self, *, as_of: str | None = None) -> int:
    """The NPS survey's half-year that has just ended (run on 1 January and 1 July)."""
    now = _moment(as_of)
    return _run(self, kind=Kind.PERIOD_ENDED, period=previous_half_year(now), as_of=now)


@shared_task(bind=True, name="kpi.evaluate_so_far", **RETRY_ON_TRANSIENT_ERRORS)
def evaluate_so_far(self, *, as_of: str | None = None) -> int:
    """The current month "so far" (run daily): its snapshots are provisional and enforce
    nothing, since the month is not over at `as_of`; a KPI that already misses its target
    warns the partner once (kpi.early_warnings)."""
    now = _moment(as_of)
    return _run(self, kind=Kind.SO_FAR, period=month_of(now), as_of=now)


@shared_task(bind=True, name="kpi.evaluate_open_months", **RETRY_ON_TRANSIENT_ERRORS)
def evaluate_open_months(self, *, as_of: str | None = None) -> int:
    """Every month over whose figures are not final yet (run daily, until they are), for the
    solutions concerned: one run per month; returns the number of chunks."""
    now = _moment(as_of)
    return sum(
        _run(self, kind=Kind.NOT_FINAL, period=period, as_of=now, solution_ids=ids)
        for period, ids in open_months(now).items()
    )


@shared_task(name="kpi.complete_runs", **RETRY_ON_TRANSIENT_ERRORS)
def complete_runs() -> int:
    """Every quarter of an hour: hand on what the runs left pending (a lost worker, a broker
    outage) or failed and is due again, and start a run the scheduler missed."""
    return runs.sweep()


@shared_task(name="kpi.send_kpi_warnings")
def send_kpi_warnings(*, period: str, solution_ids: list[int]) -> int:
    """E-mail the early warnings of a month not sent yet; idempotent (each is sent once)."""
    return send_warnings(period=period, solution_ids=solution_ids)


@shared_task(name="kpi.notify_survey_missing")
def notify_survey_missing(*, breach_id: int) -> int:
    """Tell the analysts about a missing NPS survey; once (idempotent)."""
    return survey_missing_notify(breach_id=breach_id)


@shared_task(name="kpi.send_survey_invitations")
def send_survey_invitations(*, survey_id: int, reminder: bool = False) -> int:
    """E-mail a portal NPS survey's invitations (or its one reminder); idempotent."""
    return survey_invitations_send(survey_id=survey_id, reminder=reminder)
