"""SLA deadlines of support cases (R5.4, R5.5): response and resolution due times.

The policy of a case is the one of its package and priority, else the one of its package, in
force when the case was registered (a policy changes by a new row from its `valid_from`).
Business-hour policies count in the calendar the partner declared for the case's region (the
region's default calendar when nothing is declared); 24×7 policies count every hour. A pre-sale
question is due, answered and closed, within the business days the partner declared for pre-sale
questions (R4.4: at most two), whatever its package.

`DeadlineCache` serves a whole import batch: policies, declared calendars and each calendar's
working intervals are loaded once, and a deadline is then a binary search, not a day-by-day
walk. It gives the same instants as `WorkingCalendar.add_business_hours`.
"""

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from catalogue.models import Certification
from support_audit.business_hours import WorkingCalendar, declared_calendar, region_calendar
from support_audit.enums import PRESALE_MAX_BUSINESS_DAYS
from support_audit.models import RegionSupport

from .models import SLAPolicy

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
_MARGIN_DAYS = 400  # working intervals are laid out this far around the first instant asked


# Working hours as microseconds, by the hours asked (a policy's few values): Decimal
# arithmetic on every case cost more than the two binary searches.
_SPANS: dict = {}


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _moment(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


class _Timeline:
    """A calendar's working intervals as microseconds since the epoch, with the working time
    before each, so that "N working hours after t" is two binary searches."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self.zone = calendar.zone
        # Laid out on first use (`_lay_out`): first and last day, each working interval's
        # start and end, the working time before it (`before`) and up to its end (`until`).
        self.first: date | None = None

    def _interval(self, day: date):
        interval = self.calendar.span(day)
        if interval is None:
            return None
        begin, end = _us(interval[0]), _us(interval[1])
        # An overnight interval may run into the next day's opening: count that time once.
        if self.ends:
            begin = max(begin, self.ends[-1])
        if begin >= end:
            return None
        return begin, end

    def _append(self, day: date):
        interval = self._interval(day)
        if interval:
            start, end = interval
            done = self.until[-1] if self.until else 0
            self.starts.append(start)
            self.ends.append(end)
            self.before.append(done)
            self.until.append(done + end - start)
        self.last = day

    def _lay_out(self, first: date, last: date):
        self.first, self.last = first, first - timedelta(days=1)
        self.starts, self.ends, self.before, self.until = [], [], [], []
        day = first
        while day <= last:
            self._append(day)
            day += timedelta(days=1)

    def _cover(self, day: date):
        if self.first is None:
            self._lay_out(day - timedelta(days=_MARGIN_DAYS), day + timedelta(days=_MARGIN_DAYS))
        elif day - timedelta(days=1) < self.first:
            self._lay_out(day - timedelta(days=_MARGIN_DAYS), self.last)
        while self.last < day + timedelta(days=1):
            self._append(self.last + timedelta(days=1))

    def _covers(self, t: int) -> bool:
        """Whether the intervals laid out surely cover the days around instant `t` (a margin
        of three days on either side of the days laid out, more than any zone's offset)."""
        return self.first is not None and self.low <= t < self.high

    def _bounds(self):
        self.low = _us(datetime.combine(self.first, time(0), tzinfo=UTC)) + 3 * DAY_US
        self.high = _us(datetime.combine(self.last, time(0), tzinfo=UTC)) - 3 * DAY_US

    def worked(self, t: int) -> int:
        """The working time (µs) laid out before instant `t` (µs since the epoch)."""
        if not self._covers(t):
            self._cover(_moment(t).astimezone(self.zone).date())
            self._bounds()
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        start = self.starts[i]
        return self.before[i] + min(t - start, self.ends[i] - start)

    def after(self, t: int, worked: int, span: int) -> int:
        """The instant (µs) at which `span` µs of working time have passed since instant `t`,
        `worked` being `self.worked(t)`."""
        target = worked + span
        for _guard in range(3 * 366):
            j = bisect_left(self.until, target)
            if j < len(self.until):
                # Never before `t` itself (a start inside working hours counts from there).
                return max(self.starts[j] + target - self.before[j], t)
            self._append(self.last + timedelta(days=1))
        raise ValueError("The calendar has no working hours.")

    def add(self, start: datetime, hours: Decimal | float) -> datetime:
        t = _us(start)
        return _moment(self.after(t, self.worked(t), _span(hours))).astimezone(start.tzinfo)


def _span(hours) -> int:
    """Working hours as microseconds."""
    span = _SPANS.get(hours)
    if span is None:
        span = _SPANS[hours] = int(Decimal(hours) * HOUR_US)
    return span


class DeadlineCache:
    """Policies and region calendars for a batch of cases; load once, compute many."""

    def __init__(self):
        self._policies: dict[tuple[str, str], list[SLAPolicy]] | None = None
        self._starts: dict[tuple[str, str], list[datetime]] = {}  # each history's valid_from
        self._declared: dict[int, list[RegionSupport]] = {}
        self._presale_days: dict[int, int] = {}
        self._timelines: dict[WorkingCalendar, _Timeline] = {}
        self._calendars: dict[tuple[int | None, str], WorkingCalendar] = {}
        self._by_region: dict[tuple[int | None, str], _Timeline] = {}
        # (package, priority) → the instants its policy in force changes, and the policy from
        # each (`_policy_at`); a 24×7 policy's times by its pk.
        self._changes: dict[tuple[str, str], tuple[list[int], list[SLAPolicy | None]]] = {}
        self._clock: dict[int, tuple[timedelta, timedelta]] = {}

    # Policies ----------------------------------------------------------------------------

    @property
    def policies(self) -> dict[tuple[str, str], list[SLAPolicy]]:
        """Each (package, priority)'s policies, oldest first."""
        if self._policies is None:
            self._policies = {}
            for policy in SLAPolicy.objects.order_by("valid_from"):
                self._policies.setdefault((policy.package, policy.priority), []).append(policy)
        return self._policies

    def _in_force(self, key: tuple[str, str], at: datetime | None) -> SLAPolicy | None:
        history = self.policies.get(key)
        if not history:
            return None
        if at is None:
            return history[-1]
        starts = self._starts.get(key)
        if starts is None:
            starts = self._starts[key] = [policy.valid_from for policy in history]
        index = bisect_right(starts, at) - 1
        return history[index] if index >= 0 else None

    def policy(self, package: str, priority: str = "", at: datetime | None = None):
        """The policy of the package and priority, else the one of the package alone, in force
        at `at` (the newest when None); None when there is none."""
        own = self._in_force((package, priority), at) if priority else None
        return own or self._in_force((package, ""), at)

    # Calendars ---------------------------------------------------------------------------

    def load_solutions(self, solution_ids):
        """Read the declared regions of these solutions' certified requests (two queries)."""
        wanted = [pk for pk in set(solution_ids) if pk not in self._declared]
        if not wanted:
            return
        for pk in wanted:
            self._declared[pk] = []
        applications = dict(
            Certification.objects.filter(solution_id__in=wanted).values_list(
                "application_id", "solution_id"
            )
        )
        rows = RegionSupport.objects.filter(
            declaration__application_id__in=list(applications)
        ).select_related("declaration")
        for row in sorted(rows, key=lambda r: r.pk):
            solution_id = applications[row.declaration.application_id]
            self._declared[solution_id].append(row)
            days = row.declaration.presale_business_days
            if days is not None:
                self._presale_days[solution_id] = days

    def declared_regions(self, solution_id: int) -> list[RegionSupport]:
        """The regions declared for the solution, in the order they were declared."""
        self.load_solutions([solution_id])
        return self._declared[solution_id]

    def presale_days(self, solution_id: int | None) -> int:
        """The business days within which the partner answers pre-sale questions."""
        if solution_id is None:
            return PRESALE_MAX_BUSINESS_DAYS
        self.load_solutions([solution_id])
        return self._presale_days.get(solution_id, PRESALE_MAX_BUSINESS_DAYS)

    def calendar(self, solution_id: int | None, region: str) -> WorkingCalendar:
        key = (solution_id, region)
        if key not in self._calendars:
            declared = [] if solution_id is None else self.declared_regions(solution_id)
            support = next((row for row in declared if row.region == region), None)
            self._calendars[key] = (
                declared_calendar(support) if support else region_calendar(region)
            )
        return self._calendars[key]

    def add_business_hours(self, calendar: WorkingCalendar, start: datetime, hours) -> datetime:
        timeline = self._timelines.get(calendar)
        if timeline is None:
            timeline = self._timelines[calendar] = _Timeline(calendar)
        return timeline.add(start, hours)

    # Deadlines ---------------------------------------------------------------------------

    def deadlines(
        self,
        *,
        solution_id: int | None,
        package: str,
        priority: str,
        region: str,
        registered_at: datetime,
        presale: bool = False,
    ) -> tuple[datetime, datetime]:
        """Response and resolution due times of a case; KeyError if the package has no policy."""
        if presale:
            calendar = self.calendar(solution_id, region)
            due = calendar.add_business_days(registered_at, self.presale_days(solution_id))
            return due, due
        t = _us(registered_at)
        policy = self._policy_at(package, priority, t)
        if policy is None:
            raise KeyError(package)
        if policy.around_the_clock:
            response, resolution = self._clock_hours(policy)
            return registered_at + response, registered_at + resolution
        timeline = self._by_region.get((solution_id, region))
        if timeline is None:
            calendar = self.calendar(solution_id, region)
            timeline = self._timelines.get(calendar) or _Timeline(calendar)
            self._timelines[calendar] = self._by_region[(solution_id, region)] = timeline
        worked = timeline.worked(t)
        zone = registered_at.tzinfo
        return (
            _moment(timeline.after(t, worked, _span(policy.response_hours))).astimezone(zone),
            _moment(timeline.after(t, worked, _span(policy.resolution_hours))).astimezone(zone),
        )

    def _policy_at(self, package: str, priority: str, t: int) -> SLAPolicy | None:
        """`policy(package, priority, at)` for the instant `t` (µs since the epoch): the
        policies in force, own or the package's, change only at their `valid_from`, so each
        (package, priority) is laid out once as the instants of change and the policy from
        each on, and a case is one binary search."""
        key = (package, priority)
        changes = self._changes.get(key)
        if changes is None:
            histories = [self.policies.get((package, ""), [])]
            if priority:
                histories.append(self.policies.get(key, []))
            instants = sorted({_us(p.valid_from) for history in histories for p in history})
            changes = self._changes[key] = (
                instants,
                [self.policy(package, priority, _moment(instant)) for instant in instants],
            )
        instants, policies = changes
        index = bisect_right(instants, t) - 1
        return policies[index] if index >= 0 else None

    def _clock_hours(self, policy: SLAPolicy) -> tuple[timedelta, timedelta]:
        """A 24×7 policy's response and resolution times."""
        hours = self._clock.get(policy.pk)
        if hours is None:
            hours = self._clock[policy.pk] = (
                timedelta(hours=float(policy.response_hours)),
                timedelta(hours=float(policy.resolution_hours)),
            )
        return hours
