"""The KPI jobs: one task per period fanning out over the solutions in chunks. The monthly and
half-yearly evaluations judge the period that ended; a month whose figures are not final then
(cases still open within their deadline) is evaluated again daily until it is final; the
current month "so far" is computed daily too, and only warns."""

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from applications.models import Solution

from .early_warnings import send_warnings
from .evaluation import evaluate_period
from .finality import open_months
from .periods import month_of, parse_period, previous_half_year, previous_month

CHUNK_SIZE = 200


@shared_task(name="kpi.evaluate_month")
def evaluate_month(*, period: str | None = None, as_of: str | None = None) -> int:
    """Evaluate `period` (by default the month before now) for every certified solution, in
    chunks of CHUNK_SIZE; returns the number of chunks sent."""
    now = timezone.now()
    period = period or previous_month(now)
    parse_period(period)  # refuse a malformed period here, not in every chunk
    as_of = as_of or now.isoformat()
    ids = list(
        Solution.objects.filter(certification__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chunks = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]
    for chunk in chunks:
        evaluate_chunk.delay(period=period, solution_ids=chunk, as_of=as_of)
    return len(chunks)


@shared_task(name="kpi.evaluate_chunk")
def evaluate_chunk(*, period: str, solution_ids: list[int], as_of: str) -> int:
    """Evaluate one chunk of solutions; idempotent (snapshots updated in place, breaches and
    badge changes recorded once)."""
    results = evaluate_period(period, solutions=solution_ids, as_of=parse_datetime(as_of))
    return len(results)


@shared_task(name="kpi.evaluate_half_year")
def evaluate_half_year(*, as_of: str | None = None) -> int:
    """The NPS survey's half-year that has just ended (run on 1 January and 1 July)."""
    now = timezone.now()
    return evaluate_month(period=previous_half_year(now), as_of=as_of or now.isoformat())


@shared_task(name="kpi.evaluate_so_far")
def evaluate_so_far(*, as_of: str | None = None) -> int:
    """The current month "so far" (run daily): its snapshots are provisional and enforce
    nothing, since the month is not over at `as_of`; a KPI that already misses its target
    warns the partner once (kpi.early_warnings)."""
    moment = parse_datetime(as_of) if as_of else timezone.now()
    return evaluate_month(period=month_of(moment), as_of=moment.isoformat())


@shared_task(name="kpi.evaluate_open_months")
def evaluate_open_months(*, as_of: str | None = None) -> int:
    """Every month over whose figures are not final yet (run daily, until they are), for the
    solutions concerned, in chunks; returns the number of chunks sent."""
    moment = parse_datetime(as_of) if as_of else timezone.now()
    sent = 0
    for period, ids in open_months(moment).items():
        for i in range(0, len(ids), CHUNK_SIZE):
            evaluate_chunk.delay(
                period=period, solution_ids=ids[i : i + CHUNK_SIZE], as_of=moment.isoformat()
            )
            sent += 1
    return sent


@shared_task(name="kpi.send_kpi_warnings")
def send_kpi_warnings(*, period: str, solution_ids: list[int]) -> int:
    """E-mail the early warnings of a month not sent yet; idempotent (each is sent once)."""
    return send_warnings(period=period, solution_ids=solution_ids)


@shared_task(name="kpi.notify_survey_missing")
def notify_survey_missing(*, breach_id: int) -> int:
    """Tell the analysts about a missing NPS survey; once (idempotent)."""
    from .surveys import survey_missing_notify

    return survey_missing_notify(breach_id=breach_id)


@shared_task(name="kpi.send_survey_invitations")
def send_survey_invitations(*, survey_id: int, reminder: bool = False) -> int:
    """E-mail a portal NPS survey's invitations (or its one reminder); idempotent."""
    from .surveys import survey_invitations_send

    return survey_invitations_send(survey_id=survey_id, reminder=reminder)
