"""The date-sensitive paths at the instants where calendars bite: the first minutes of a month
and of a year, the last half hour of a month, 29 February, and the days the clocks change in
Europe and in the US (with the reporting and team time zones set to the zone that changes).

Each test pins "now" to the instant; nothing here reads the wall clock.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.deadlines import DeadlineCache
from kpi.models import Breach, KPISnapshot, SLAPolicy, SupportCase
from kpi.periods import (
    month_of,
    parse_period,
    previous_half_year,
    previous_month,
    recent_months,
)
from kpi.tasks import evaluate_half_year, evaluate_month, evaluate_so_far
from support_audit.business_hours import (
    Region,
    WorkingCalendar,
    region_calendar,
    team_calendar,
)
from tests.factories.accounts import UserFactory
from tests.factories.kpi import NPSAnswerFactory, SupportCaseFactory
from workflow.enums import ApplicationKind, ApplicationState
from workflow.models import Application
from workflow.reminders import reminders_send, review_horizon

from .factories.workflow import ApplicationFactory, CertificationFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Instant:
    at: datetime
    zone: str = "UTC"  # the reporting and team time zone during the test
    country: str = "RU"  # the team's public holidays


INSTANTS = {
    "1st-of-month-00:30": Instant(datetime(2027, 3, 1, 0, 30, tzinfo=UTC)),
    "1st-of-month-09:00": Instant(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)),
    "1st-of-year-00:30": Instant(datetime(2027, 1, 1, 0, 30, tzinfo=UTC)),
    "1st-of-half-year-09:00": Instant(datetime(2027, 7, 1, 9, 0, tzinfo=UTC)),
    "last-of-month-23:30": Instant(datetime(2027, 4, 30, 23, 30, tzinfo=UTC)),
    "31-december-23:30": Instant(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
    "29-february-12:00": Instant(datetime(2028, 2, 29, 12, 0, tzinfo=UTC)),
    # Half an hour after the clocks change (Berlin: 01:00 UTC; New York: 07:00 and 06:00 UTC).
    "berlin-summer-time-starts": Instant(
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "Europe/Berlin", "DE"
    ),
    "berlin-summer-time-ends": Instant(
        datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "Europe/Berlin", "DE"
    ),
    "new-york-summer-time-starts": Instant(
        datetime(2027, 3, 14, 7, 30, tzinfo=UTC), "America/New_York", "US"
    ),
    "new-york-summer-time-ends": Instant(
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC), "America/New_York", "US"
    ),
}


@pytest.fixture(params=list(INSTANTS), ids=list(INSTANTS))
def instant(request, settings):
    """Now is the instant, in the zone the instant is about."""
    moment = INSTANTS[request.param]
    settings.KPI_REPORTING_TIME_ZONE = moment.zone
    settings.TEAM_TIME_ZONE = moment.zone
    settings.TEAM_HOLIDAYS_COUNTRY = moment.country
    with time_machine.travel(moment.at, tick=False):
        yield moment.at


def test_seed_demo_succeeds_tells_its_story_and_is_idempotent(instant):
    """At every instant the demo loads, judges its badges as the README says, and a second run
    changes nothing."""
    first, second = StringIO(), StringIO()

    call_command("seed_demo", stdout=first)
    counts = (Application.objects.count(), SupportCase.objects.count(), Breach.objects.count())
    call_command("seed_demo", stdout=second)

    assert first.getvalue().startswith("Demo data loaded: 8 users, 13 solutions, 13 requests, ")
    assert first.getvalue().rstrip().splitlines()[-5:] == [
        "  nw-calendar   certified  /badges/nw-calendar.svg",
        "  nw-inventory  certified  /badges/nw-inventory.svg",
        "  nw-payments   revoked    /badges/nw-payments.svg",
        "  nw-portal     at risk    /badges/nw-portal.svg",
        "  nw-quotes     certified  /badges/nw-quotes.svg",
    ]
    assert second.getvalue().startswith("Demo data already present: nothing changed.")
    assert (
        Application.objects.count(),
        SupportCase.objects.count(),
        Breach.objects.count(),
    ) == counts
    # One case of a final month arrived late, and is shown as such.
    assert list(
        SupportCase.objects.filter(arrived_late_at__isnull=False).values_list(
            "solution__slug", flat=True
        )
    ) == ["nw-calendar"]
    # No case of the demo is registered after now, and no revocation is dated in the future.
    assert not SupportCase.objects.filter(registered_at__gt=instant).exists()
    assert not CertificationEvent.objects.filter(at__gt=instant).exists()


def test_periods_hold_now_and_follow_one_another(instant):
    """The month and half-year of now contain now; the previous ones end where they start."""
    month = parse_period(month_of(instant))
    previous = parse_period(previous_month(instant))
    half = parse_period(previous_half_year(instant))
    twelve = recent_months(instant, 12)

    assert month.start <= instant < month.end
    assert previous.end == month.start
    assert half.end <= instant
    assert half.end > instant - timedelta(days=366 // 2 + 1)
    assert [p.end for p in twelve[1:]] == [p.start for p in twelve[:-1]]
    assert len({p.name for p in twelve}) == 12


def test_the_month_so_far_enforces_nothing_and_the_month_over_does(instant, on_commit):
    """R5.8 The daily run of the month so far is provisional even when failing; the monthly run
    of the month that just ended judges a case of its first minute and revokes."""
    UserFactory(analyst=True)
    solution = CertificationFactory().solution
    month = parse_period(month_of(instant))
    previous = parse_period(previous_month(instant))
    # Late in the month so far: due a minute after it was registered, answered after two.
    SupportCaseFactory(
        solution=solution,
        registered_at=month.start + timedelta(seconds=1),
        response_due_at=month.start + timedelta(minutes=1),
        first_response_at=month.start + timedelta(minutes=2),
        csat=5,
    )
    # Late in the first minute of the month that ended.
    SupportCaseFactory(solution=solution, registered_at=previous.start, late_response=True, csat=5)

    on_commit(evaluate_so_far)
    so_far = KPISnapshot.objects.get(
        solution=solution, period=month.name, kpi="response_overdue_rate"
    )
    solution.certification.refresh_from_db()
    assert (so_far.provisional, so_far.status) == (True, "fail")
    assert solution.certification.status == CertificationStatus.CERTIFIED
    assert not Breach.objects.exists()

    on_commit(evaluate_month)
    final = KPISnapshot.objects.get(
        solution=solution, period=previous.name, kpi="response_overdue_rate"
    )
    solution.certification.refresh_from_db()
    assert (final.provisional, final.status, final.numerator) == (False, "fail", 1)
    assert solution.certification.status == CertificationStatus.REVOKED
    assert list(Breach.objects.values_list("period", flat=True)) == [previous.name]


def test_the_half_year_job_judges_the_half_year_that_ended(instant, on_commit):
    """R5.1 The NPS job takes the half-year before now, whatever the instant."""
    solution = CertificationFactory().solution
    ended = parse_period(previous_half_year(instant))
    NPSAnswerFactory(
        solution=solution,
        half_year=ended.name,
        answered_at=ended.end - timedelta(days=1),
        score=9,
    )

    on_commit(evaluate_half_year)

    snapshot = KPISnapshot.objects.get(solution=solution, period=ended.name, kpi="nps_mean")
    assert (snapshot.kpi, snapshot.status, snapshot.provisional) == ("nps_mean", "pass", False)


def business_seconds(calendar, start: datetime, end: datetime) -> int:
    """Working seconds between two instants, counted minute by minute in real time: an oracle
    independent of the calendar's own arithmetic."""
    seconds, moment = 0, start
    step = timedelta(minutes=1)
    while moment < end:
        local = moment.astimezone(calendar.zone)
        if calendar.is_business_day(local.date()):
            opens, closes = calendar.hours[local.weekday()]
            if opens <= local.time() and (closes == time(0) or local.time() < closes):
                seconds += int(min(step, end - moment).total_seconds())
        moment += step
    return seconds


@pytest.mark.parametrize("region", [Region.EMEA, Region.AMERICAS_EAST, Region.RUSSIA])
def test_business_hour_deadlines_count_real_working_hours(instant, region):
    """R5.4, R5.5 A Basic case registered now is due after exactly its policy's working hours
    in the region's calendar (weekends, holidays and clock changes included)."""
    policy = SLAPolicy.objects.get(package="basic", priority="")
    calendar = region_calendar(region)

    response, resolution = DeadlineCache().deadlines(
        solution_id=None,
        package="basic",
        priority="medium",
        region=region,
        registered_at=instant,
    )

    assert instant < response < resolution
    assert business_seconds(calendar, instant, response) == policy.response_hours * 3600
    assert business_seconds(calendar, instant, resolution) == policy.resolution_hours * 3600
    assert calendar.add_business_hours(instant, float(policy.response_hours)) == response


def test_around_the_clock_deadlines_are_real_hours(instant):
    """R5.4 Premium counts every hour: the deadline is the policy's hours of real time later."""
    policy = SLAPolicy.objects.get(package="premium", priority="")

    response, resolution = DeadlineCache().deadlines(
        solution_id=None,
        package="premium",
        priority="medium",
        region=Region.EMEA,
        registered_at=instant,
    )

    assert response - instant == timedelta(hours=float(policy.response_hours))
    assert resolution - instant == timedelta(hours=float(policy.resolution_hours))


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_a_day_open_around_the_clock_has_its_real_length_when_the_clocks_change(instant, zone):
    """Declared days open from 00:00 to 00:00 count real hours: from the local midnight of
    the instant's day, 30 working hours are 30 hours later, though on the day the clocks
    change the local day has 23 or 25 of them."""
    calendar = WorkingCalendar(tz=zone, hours={day: (time(0), time(0)) for day in range(7)})
    midnight = datetime.combine(
        instant.astimezone(calendar.zone).date(), time(0), tzinfo=calendar.zone
    )

    due = calendar.add_business_hours(midnight, 30)

    assert due.astimezone(UTC) - midnight.astimezone(UTC) == timedelta(hours=30)


def test_an_overdue_audit_is_reminded_once_a_day(instant, on_commit):
    """R5.7 The daily reminder names an audit overdue in the team's calendar, once."""
    analyst = UserFactory(analyst=True)
    today = instant.astimezone(team_calendar().zone).date()
    CertificationFactory(next_audit_due=today - timedelta(days=1))
    CertificationFactory(next_audit_due=today)  # due today: not yet overdue

    first = on_commit(reminders_send, now=instant)
    again = on_commit(reminders_send, now=instant)

    assert (first, again) == (1, 0)
    [message] = mail.outbox
    assert message.to == [analyst.email]
    assert message.body.count("Regular audit of ") == 1


def test_the_critical_fix_review_is_due_two_business_days_later_and_reminded_the_day_before(
    instant, settings
):
    """R6.5 The critical-fix review is due two team business days after now, at the same
    local time; the reminder comes on the business day before, not earlier."""
    team = team_calendar()
    due = team.add_business_days(instant, settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS)
    local_now, local_due = instant.astimezone(team.zone), due.astimezone(team.zone)
    between = [
        local_now.date() + timedelta(days=n)
        for n in range(1, (local_due.date() - local_now.date()).days + 1)
    ]
    UserFactory(analyst=True)
    ApplicationFactory(
        kind=ApplicationKind.CRITICAL_FIX, state=ApplicationState.IN_REVIEW, review_due_at=due
    )
    day_before = team.add_business_days(instant, settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS - 1)

    assert sum(team.is_business_day(day) for day in between) == 2
    assert team.is_business_day(local_due.date())
    assert local_due.time() == local_now.time()
    assert due >= review_horizon(instant)
    assert reminders_send(now=instant) == 0
    assert due < review_horizon(day_before)
    assert reminders_send(now=day_before) == 1
