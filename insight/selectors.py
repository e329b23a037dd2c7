"""The programme overview's figures: every count is a GROUP BY in the database, folded into
the stages, months and categories the charts show (a handful of groups, never one per row).

A request's stage comes from its state (workflow.enums.STAGE_OF_STATE); its moves come from
its recorded transitions (django-fsm-log's StateLog). A transition *enters* a stage when its
target state belongs to the stage and its source state does not, and *leaves* it the other way
round; the draft is not counted as being in stage 1 (the partner has not filed the request).
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, Min, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_fsm_log.models import StateLog

from catalogue.models import CertificationEvent
from kpi.models import Breach
from workflow.enums import (
    ACTIVE_STATES,
    LEADER_QUEUE_STATES,
    PARTNER_ACTION_STATES,
    STAGE_OF_STATE,
    ApplicationState,
    Stage,
)
from workflow.models import Application

S = ApplicationState
# How many of the oldest waiting requests the overview lists.
OLDEST_SHOWN = 10
# The events of a certification the overview counts, in the order it shows them.
CERTIFICATION_ACTIONS = (
    CertificationEvent.Action.GRANTED,
    CertificationEvent.Action.AT_RISK,
    CertificationEvent.Action.REVOKED,
)


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last` (each the first day of its month), both included."""

    first: datetime.date
    last: datetime.date

    @classmethod
    def last_months(cls, count: int, today: datetime.date | None = None) -> "Period":
        """The `count` months up to and including the current one."""
        today = today or timezone.localdate()
        last = today.replace(day=1)
        return cls(first=add_months(last, 1 - count), last=last)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start(self) -> datetime.datetime:
        """The period's first instant, in the portal's time zone."""
        return _midnight(self.first)

    @property
    def end(self) -> datetime.datetime:
        """The instant after the period (the next month's first midnight)."""
        return _midnight(add_months(self.last, 1))


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _month_of(value) -> datetime.date:
    """A TruncMonth result (a date or an aware datetime) as the first day of its month."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def states_of(stage: Stage) -> list[str]:
    """The states of a stage the request is *in* it (the draft is not yet filed)."""
    return [state for state, of in STAGE_OF_STATE.items() if of == stage and state != S.DRAFT]


def _stage_case(field: str) -> Case:
    """The stage number of the state in `field`, NULL for the draft and the closed states."""
    return Case(
        *(When(**{f"{field}__in": states_of(stage)}, then=Value(int(stage))) for stage in Stage),
        default=Value(None),
        output_field=IntegerField(),
    )


def _applications(marketplace: str = ""):
    qs = Application.objects.all()
    return qs.filter(solution__marketplace=marketplace) if marketplace else qs


def _transitions(marketplace: str = ""):
    """The recorded transitions of certification requests (of one marketplace)."""
    qs = StateLog.objects.filter(content_type=ContentType.objects.get_for_model(Application))
    if marketplace:
        qs = qs.filter(object_id__in=_applications(marketplace).values("pk"))
    return qs


def requests_by_state(marketplace: str = "") -> dict[str, int]:
    """How many requests are in each state now (every state, zeros included; drafts too)."""
    counts = dict.fromkeys(S.values, 0)
    rows = _applications(marketplace).order_by().values("state").annotate(count=Count("pk"))
    for row in rows:
        counts[row["state"]] = row["count"]
    return counts


def funnel(by_state: dict[str, int]) -> dict[Stage, int]:
    """The requests in each stage now, from the counts by state: the open requests of stages
    1–4 (drafts left out) and the certified ones in stage 5."""
    return {stage: sum(by_state[state] for state in states_of(stage)) for stage in Stage}


def time_in_stage(period: Period, marketplace: str = "") -> dict[Stage, dict]:
    """The median and 90th percentile (in days, with the number of requests) of the time
    spent in each stage by the requests that left it within the period: from the first
    transition into the stage to the first one out of it.

    The database groups the transitions by request (one row per request with a stage left
    in the period, a pair of instants per stage); the percentiles are taken in Python over
    those rows. Their number is bounded by the requests that moved on within the period — a
    few hundred a year in this programme, 10,000 in the benchmark — so this is one query and
    at most five numbers per such request, the same on PostgreSQL and SQLite."""
    bounds = {}
    left_in_period = Q()
    for stage in Stage:
        inside = states_of(stage)
        bounds[f"in_{stage}"] = Min("timestamp", filter=Q(state__in=inside))
        bounds[f"out_{stage}"] = Min(
            "timestamp", filter=Q(source_state__in=inside) & ~Q(state__in=inside)
        )
        left_in_period |= Q(**{f"out_{stage}__gte": period.start, f"out_{stage}__lt": period.end})
    rows = (
        _transitions(marketplace)
        .order_by()
        .values("object_id")
        .annotate(**bounds)
        .filter(left_in_period)
        .values_list(*bounds)
    )
    days: dict[Stage, list[float]] = {stage: [] for stage in Stage}
    for row in rows:
        for index, stage in enumerate(Stage):
            entered, left = row[2 * index], row[2 * index + 1]
            if entered and left and period.start <= left < period.end and left >= entered:
                days[stage].append((left - entered).total_seconds() / 86400)
    return {
        stage: {
            "count": len(values),
            "median": percentile(values, 50),
            "p90": percentile(values, 90),
        }
        for stage, values in days.items()
    }


def percentile(values: list[float], rank: float) -> float | None:
    """The `rank`-th percentile with linear interpolation between the closest ranks (as
    PostgreSQL's percentile_cont), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * rank / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def throughput(period: Period, marketplace: str = "") -> dict[str, dict[Stage, dict]]:
    """For each stage, how many requests entered it and how many left it in each month of the
    period: {"entered": {stage: {month: count}}, "left": {…}}."""
    rows = (
        _transitions(marketplace)
        .filter(timestamp__gte=period.start, timestamp__lt=period.end)
        .annotate(to_stage=_stage_case("state"), from_stage=_stage_case("source_state"))
        .annotate(month=TruncMonth("timestamp"))
        .order_by()
        .values("month", "to_stage", "from_stage")
        .annotate(count=Count("pk"))
    )
    moves = {kind: {stage: defaultdict(int) for stage in Stage} for kind in ("entered", "left")}
    for row in rows:
        if row["to_stage"] == row["from_stage"]:  # a move within a stage (or between drafts)
            continue
        month = _month_of(row["month"])
        if row["to_stage"]:
            moves["entered"][Stage(row["to_stage"])][month] += row["count"]
        if row["from_stage"]:
            moves["left"][Stage(row["from_stage"])][month] += row["count"]
    return moves


def oldest_waiting(marketplace: str = "", limit: int = OLDEST_SHOWN) -> list[Application]:
    """The open (filed) requests longest in their current state, each with `waiting_for`:
    the partner, the leaders or the Marketplace team."""
    applications = list(
        _applications(marketplace)
        .filter(state__in=ACTIVE_STATES)
        .exclude(state=S.DRAFT)
        .select_related("solution__partner", "version")
        .order_by("state_changed_at", "pk")[:limit]
    )
    for application in applications:
        application.waiting_for = waiting_for(application.state)
    return applications


def waiting_for(state: str) -> str:
    """Whose move it is in `state`: "partner", "leaders" or "team"."""
    if state in PARTNER_ACTION_STATES:
        return "partner"
    if state in LEADER_QUEUE_STATES:
        return "leaders"
    return "team"


# The outcome of a request filed in the period, as the overview groups it.
OUTCOMES = ("open", "certified", "closed")


def _outcome(state: str) -> str:
    if state == S.CERTIFIED:
        return "certified"
    return "open" if state in ACTIVE_STATES else "closed"


def filed_by(field: str, period: Period, marketplace: str = "") -> dict:
    """The requests filed (submitted) in the period grouped by `field` ("solution__marketplace"
    or "priority") and by outcome: {value: {"open": n, "certified": n, "closed": n}}."""
    rows = (
        _applications(marketplace)
        .filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .order_by()
        .values(field, "state")
        .annotate(count=Count("pk"))
    )
    grouped: dict = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for row in rows:
        grouped[row[field]][_outcome(row["state"])] += row["count"]
    return dict(grouped)


def certification_events(period: Period, marketplace: str = "") -> dict[str, dict]:
    """Certifications granted, marked at risk and revoked in each month of the period:
    {action: {month: count}}."""
    qs = CertificationEvent.objects.filter(
        action__in=CERTIFICATION_ACTIONS, at__gte=period.start, at__lt=period.end
    )
    if marketplace:
        qs = qs.filter(certification__solution__marketplace=marketplace)
    rows = (
        qs.annotate(month=TruncMonth("at"))
        .order_by()
        .values("month", "action")
        .annotate(count=Count("pk"))
    )
    counts: dict[str, dict] = {action: defaultdict(int) for action in CERTIFICATION_ACTIONS}
    for row in rows:
        counts[row["action"]][_month_of(row["month"])] += row["count"]
    return counts


def breach_month(period_code: str) -> datetime.date | None:
    """The month a KPI period is shown in: a month as itself, a half-year ("2026-H2") in its
    last month; None for a code that is neither."""
    year, _, part = period_code.partition("-")
    try:
        if part in ("H1", "H2"):
            return datetime.date(int(year), 6 if part == "H1" else 12, 1)
        return datetime.date(int(year), int(part), 1)
    except ValueError:
        return None


def breaches(period: Period, marketplace: str = "") -> dict[str, dict]:
    """KPI breaches per month of the period by KPI: {kpi: {month: count}} (the month the
    breached period is shown in, see `breach_month`)."""
    qs = Breach.objects.filter(
        period__gte=f"{period.first.year:04d}", period__lt=f"{period.last.year + 1:04d}"
    )
    if marketplace:
        qs = qs.filter(solution__marketplace=marketplace)
    rows = qs.order_by().values("period", "kpi").annotate(count=Count("pk"))
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = breach_month(row["period"])
        if month and period.first <= month <= period.last:
            counts[row["kpi"]][month] += row["count"]
    return counts
