"""SLA deadlines of support cases: policies, region calendars, weekends and holidays."""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kpi.deadlines import _MARGIN_DAYS, DeadlineCache, _Timeline, _us
from kpi.models import SLAPolicy
from support_audit.business_hours import Region, WorkingCalendar, region_calendar
from support_audit.models import SupportDeclaration
from tests.factories.support_audit import RegionSupportFactory, SupportDeclarationFactory

from ..factories.workflow import CertificationFactory

MOSCOW = ZoneInfo("Europe/Moscow")

pytestmark = pytest.mark.django_db


def deadlines(
    cache, package, registered_at, *, region=Region.RUSSIA, priority="medium", solution=None
):
    return cache.deadlines(
        solution_id=solution.pk if solution else None,
        package=package,
        priority=priority,
        region=region,
        registered_at=registered_at,
    )


def certified_with_hours(region, hours):
    """A certified solution whose request declared `hours` for `region` only."""
    certification = CertificationFactory()
    declaration = SupportDeclarationFactory(application=certification.application, regions=False)
    RegionSupportFactory(declaration=declaration, region=region, hours=hours)
    return certification.solution


def test_seeded_policies_are_the_issue_defaults():
    policies = {p.package: p for p in SLAPolicy.objects.filter(priority="")}

    assert (policies["basic"].response_hours, policies["basic"].resolution_hours) == (8, 40)
    assert (policies["business"].response_hours, policies["business"].resolution_hours) == (4, 16)
    assert (policies["premium"].response_hours, policies["premium"].resolution_hours) == (1, 8)
    assert policies["premium"].around_the_clock
    assert not policies["basic"].around_the_clock and not policies["business"].around_the_clock


def test_basic_case_on_friday_afternoon_in_moscow_is_due_on_monday():
    """R5.4: Basic, 8 business hours from Friday 16:00 MSK: 2 h on Friday, 6 h on Monday."""
    response, resolution = deadlines(
        DeadlineCache(), "basic", datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW)
    )

    assert response == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)
    # R5.5: 40 h = 2 on Friday, 4 × 9 Monday to Thursday, 2 on the next Friday.
    assert resolution == datetime(2026, 11, 20, 11, 0, tzinfo=MOSCOW)


def test_premium_case_on_saturday_night_counts_around_the_clock():
    """R5.4, R5.5: Premium is 24×7: 1 h to respond and 8 h to resolve, weekend or not."""
    saturday_night = datetime(2026, 11, 14, 23, 30, tzinfo=UTC)

    response, resolution = deadlines(DeadlineCache(), "premium", saturday_night)

    assert response == datetime(2026, 11, 15, 0, 30, tzinfo=UTC)
    assert resolution == datetime(2026, 11, 15, 7, 30, tzinfo=UTC)


def test_business_case_skips_a_public_holiday():
    """R5.4: Business, 4 business hours from Tuesday 16:00 MSK skip Unity Day (4 Nov 2026)."""
    response, resolution = deadlines(
        DeadlineCache(), "business", datetime(2026, 11, 3, 16, 0, tzinfo=MOSCOW)
    )

    assert response == datetime(2026, 11, 5, 11, 0, tzinfo=MOSCOW)
    # R5.5: 16 h = 2 on Tuesday, 9 on Thursday, 5 on Friday.
    assert resolution == datetime(2026, 11, 6, 14, 0, tzinfo=MOSCOW)


def test_deadlines_count_in_the_hours_declared_for_the_region():
    """R5.4: the region's declared hours (10–19, Saturday 10–14) are the business hours."""
    declared = {str(day): ["10:00", "19:00"] for day in range(5)} | {"5": ["10:00", "14:00"]}
    solution = certified_with_hours(Region.RUSSIA, declared)

    response, _resolution = deadlines(
        DeadlineCache(), "basic", datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW), solution=solution
    )

    # 3 h on Friday (16–19), 4 h on Saturday (10–14), 1 h on Monday (10–11).
    assert response == datetime(2026, 11, 16, 11, 0, tzinfo=MOSCOW)


def test_a_region_without_declared_hours_uses_the_default_calendar():
    solution = certified_with_hours(Region.EMEA, {str(d): ["07:00", "12:00"] for d in range(5)})

    response, _resolution = deadlines(
        DeadlineCache(), "basic", datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW), solution=solution
    )

    assert response == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)


def test_a_presale_question_is_due_two_business_days_later_whatever_its_package():
    """R4.4: a pre-sale question asked on Friday 17:00 MSK before Unity Day week is due on
    Tuesday 17:00, premium or not; the business days skip the weekend."""
    friday = datetime(2026, 11, 13, 17, 0, tzinfo=MOSCOW)

    due = DeadlineCache().deadlines(
        solution_id=None,
        package="premium",
        priority="critical",
        region=Region.RUSSIA,
        registered_at=friday,
        presale=True,
    )

    assert due == (datetime(2026, 11, 17, 17, 0, tzinfo=MOSCOW),) * 2


def test_a_presale_question_is_due_within_the_business_days_the_partner_declared():
    """R4.4: a partner that answers pre-sale questions within one business day is held to it;
    the holiday (Unity Day, 4 November) does not count."""
    solution = certified_with_hours(Region.RUSSIA, {str(d): ["09:00", "18:00"] for d in range(5)})
    SupportDeclaration.objects.filter(application=solution.certification.application).update(
        presale_business_days=1
    )

    response, resolution = DeadlineCache().deadlines(
        solution_id=solution.pk,
        package="basic",
        priority="medium",
        region=Region.RUSSIA,
        registered_at=datetime(2026, 11, 3, 12, 0, tzinfo=MOSCOW),
        presale=True,
    )

    assert response == resolution == datetime(2026, 11, 5, 12, 0, tzinfo=MOSCOW)


def test_a_priority_policy_takes_precedence_over_the_package_one():
    SLAPolicy.objects.create(
        package="basic",
        priority="critical",
        response_hours=Decimal("2"),
        resolution_hours=Decimal("4.5"),
        around_the_clock=True,
        valid_from=datetime(2000, 1, 1, tzinfo=UTC),
    )
    cache = DeadlineCache()
    start = datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW)

    assert deadlines(cache, "basic", start, priority="critical") == (
        start + timedelta(hours=2),
        start + timedelta(hours=4, minutes=30),
    )
    assert deadlines(cache, "basic", start, priority="low")[0] == datetime(
        2026, 11, 16, 15, 0, tzinfo=MOSCOW
    )


def test_a_policy_applies_to_cases_registered_from_its_first_instant_on():
    """R5.4: Premium's response became 30 minutes at 2026-11-13 16:00 MSK; a case registered at
    that instant has the new policy, one a microsecond earlier the old hour."""
    change = datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW)
    SLAPolicy.objects.create(
        package="premium",
        response_hours=Decimal("0.5"),
        resolution_hours=Decimal("8"),
        around_the_clock=True,
        valid_from=change,
    )
    cache = DeadlineCache()
    before = change - timedelta(microseconds=1)

    assert deadlines(cache, "premium", change)[0] == change + timedelta(minutes=30)
    assert deadlines(cache, "premium", before)[0] == before + timedelta(hours=1)


def test_a_priority_policy_not_yet_in_force_leaves_the_package_one():
    """R5.4: a Basic critical policy from 1 December does not judge a case of 13 November."""
    SLAPolicy.objects.create(
        package="basic",
        priority="critical",
        response_hours=Decimal("1"),
        resolution_hours=Decimal("2"),
        around_the_clock=True,
        valid_from=datetime(2026, 12, 1, tzinfo=UTC),
    )
    start = datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW)

    assert deadlines(DeadlineCache(), "basic", start, priority="critical")[0] == datetime(
        2026, 11, 16, 15, 0, tzinfo=MOSCOW
    )


def test_a_package_without_a_policy_is_a_key_error():
    SLAPolicy.objects.filter(package="basic").delete()

    with pytest.raises(KeyError):
        deadlines(DeadlineCache(), "basic", datetime(2026, 11, 13, 16, 0, tzinfo=MOSCOW))


@pytest.mark.parametrize(
    "calendar",
    [
        region_calendar(Region.RUSSIA),
        region_calendar(Region.AMERICAS_WEST),
        region_calendar(Region.EMEA, {0: (time(8), time(20)), 5: (time(10), time(12))}),
        WorkingCalendar(
            tz="Asia/Dubai", country="AE", hours={d: (time(0), time(0)) for d in (0, 1)}
        ),
    ],
)
def test_cached_business_hours_give_the_same_instants_as_the_calendar(calendar):
    """The batch cache's binary search agrees with the calendar's day-by-day walk."""
    cache = DeadlineCache()
    rng = random.Random(5)
    for _i in range(300):
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 2 * 525600))
        hours = rng.choice([Decimal("1"), Decimal("4"), Decimal("8"), Decimal("16"), Decimal("40")])

        assert cache.add_business_hours(calendar, start, hours) == calendar.add_business_hours(
            start, float(hours)
        ), (start, hours)


@pytest.mark.parametrize("region", [Region.EMEA, Region.RUSSIA, Region.AMERICAS_WEST])
def test_one_cache_asked_across_years_in_both_directions_agrees_with_the_calendar(region):
    """R5.4 A batch's cache lays out working intervals around its first case and extends them
    backwards and forwards as later cases ask: far from the first case, at the first instant
    of a working day, on a holiday, each deadline is the calendar's own."""
    calendar = region_calendar(region)
    cache = DeadlineCache()
    zone = calendar.zone
    moments = [
        datetime(2026, 11, 13, 16, 0, tzinfo=zone),  # the first: the intervals are laid out here
        datetime(2023, 1, 2, 9, 0, tzinfo=zone),  # years before: laid out again, backwards
        datetime(2023, 1, 1, 12, 0, tzinfo=zone),  # a holiday, and before the first laid out
        datetime(2029, 12, 31, 17, 59, tzinfo=zone),  # years after: extended forwards
        datetime(2026, 11, 16, 9, 0, tzinfo=zone),  # a Monday's opening minute, in between
    ]
    for hours in (Decimal("0.5"), Decimal("8"), Decimal("40"), Decimal("400")):
        for moment in moments:
            assert cache.add_business_hours(calendar, moment, hours) == (
                calendar.add_business_hours(moment, float(hours))
            ), (moment, hours)


def test_a_calendar_without_working_hours_is_an_error_not_a_hang():
    closed = WorkingCalendar(tz="UTC", hours={})

    with pytest.raises(ValueError, match=r"^The calendar has no working hours\.$"):
        DeadlineCache().add_business_hours(closed, datetime(2026, 11, 13, tzinfo=UTC), 1)
    with pytest.raises(ValueError, match=r"^The calendar has no working hours\.$"):
        closed.add_business_hours(datetime(2026, 11, 13, tzinfo=UTC), 1)


def test_the_policy_in_force_is_the_newest_from_before_the_case():
    """R5.4 A package's policy changed twice: each case is judged by the one in force when it
    was registered; a priority without a policy of its own takes the package's."""
    SLAPolicy.objects.filter(package="basic").delete()
    for month, hours in ((1, 8), (6, 6), (9, 4)):
        SLAPolicy.objects.create(
            package="basic",
            priority="",
            response_hours=hours,
            resolution_hours=40,
            valid_from=datetime(2026, month, 1, tzinfo=UTC),
        )
    cache = DeadlineCache()

    def hours_at(month):
        return cache.policy("basic", "critical", at=datetime(2026, month, 15, tzinfo=UTC))

    assert [hours_at(m).response_hours for m in (2, 7, 10)] == [8, 6, 4]
    assert cache.policy("basic", at=datetime(2025, 12, 31, tzinfo=UTC)) is None
    assert cache.policy("basic").response_hours == 4


def test_a_batch_reads_each_solution_and_lays_out_each_calendar_once(
    django_assert_num_queries, monkeypatch
):
    """R5.4 A whole batch costs the same few queries and one layout per calendar, however many
    cases it has: the policies, the certifications and their declared regions are read once."""
    solution = certified_with_hours(Region.EMEA, {"0": ["08:00", "20:00"]})
    layouts = []
    original = _Timeline._lay_out

    def counted(self, first, last):
        layouts.append(self.calendar)
        return original(self, first, last)

    monkeypatch.setattr(_Timeline, "_lay_out", counted)
    cache = DeadlineCache()
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    with django_assert_num_queries(3):
        for n in range(30):
            for region in (Region.EMEA, Region.RUSSIA):
                cache.deadlines(
                    solution_id=solution.pk,
                    package="basic",
                    priority="medium",
                    region=region,
                    registered_at=start + timedelta(hours=n),
                )

    assert len(layouts) == 2  # the declared EMEA hours, Russia's default calendar
    emea, _resolution = cache.deadlines(
        solution_id=solution.pk,
        package="basic",
        priority="medium",
        region=Region.EMEA,
        registered_at=start,
    )
    # Declared Monday 08:00–20:00 in Berlin: 8 working hours from 10:00 local end at 18:00.
    assert emea == datetime(2026, 11, 16, 17, 0, tzinfo=UTC)


def test_a_package_without_a_policy_is_named():
    with pytest.raises(KeyError, match="gold"):
        DeadlineCache().deadlines(
            solution_id=None,
            package="gold",
            priority="",
            region=Region.EMEA,
            registered_at=datetime(2026, 11, 16, 9, 0, tzinfo=UTC),
        )


def test_a_presale_question_without_a_declaration_is_due_in_two_business_days():
    """R4.4 A solution that declared nothing answers pre-sale questions within the most the
    programme allows: two business days."""
    solution = CertificationFactory().solution

    due, closed = DeadlineCache().deadlines(
        solution_id=solution.pk,
        package="",
        priority="",
        region=Region.RUSSIA,
        registered_at=datetime(2026, 11, 13, 12, 0, tzinfo=MOSCOW),  # a Friday
        presale=True,
    )

    assert due == closed == datetime(2026, 11, 17, 12, 0, tzinfo=MOSCOW)


def test_solutions_on_the_same_calendar_share_one_layout(monkeypatch, django_assert_num_queries):
    """Two solutions without declared hours in the same region, and repeated sums on one
    calendar, lay the calendar out once; a case of no solution reads the policies alone."""
    layouts = []
    original = _Timeline._lay_out

    def counted(self, first, last):
        layouts.append(self.calendar)
        return original(self, first, last)

    monkeypatch.setattr(_Timeline, "_lay_out", counted)
    one, other = CertificationFactory().solution, CertificationFactory().solution
    cache = DeadlineCache()
    start = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    for solution in (one, other):
        cache.deadlines(
            solution_id=solution.pk,
            package="basic",
            priority="",
            region=Region.EMEA,
            registered_at=start,
        )
    calendar = region_calendar(Region.EMEA)
    for hours in (1, 2, 3):
        cache.add_business_hours(calendar, start, hours)

    assert len(layouts) == 1
    with django_assert_num_queries(1):
        DeadlineCache().deadlines(
            solution_id=None,
            package="basic",
            priority="",
            region=Region.EMEA,
            registered_at=start,
        )


# Against the straightforward count -----------------------------------------------------------

MINUTE = timedelta(minutes=1)
# Days around clock changes (America 8 Mar and 1 Nov 2026, Europe 29 Mar and 25 Oct 2026) and
# public holidays (New Year, 1 May, Unity Day 4 Nov, Christmas).
AROUND = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 12, 31, tzinfo=UTC),
    datetime(2026, 5, 1, tzinfo=UTC),
    datetime(2026, 11, 4, tzinfo=UTC),
    datetime(2026, 12, 25, tzinfo=UTC),
]


def counted_minute_by_minute(calendar: WorkingCalendar, start: datetime, hours) -> datetime:
    """The instant `hours` of working time after `start` (a whole minute), found by stepping
    one real minute at a time and counting those whose local day is a business day and whose
    local wall-clock time is within that day's hours (a day closing at 00:00 works to its end)."""
    zone, remaining, moment = calendar.zone, int(Decimal(hours) * 60), start
    while True:
        local = moment.astimezone(zone)
        day = local.date()
        if calendar.is_business_day(day):
            opens, closes = calendar.hours[day.weekday()]
            if opens <= local.time() and (closes == time(0) or local.time() < closes):
                remaining -= 1
                if remaining == 0:
                    return moment + MINUTE
        moment += MINUTE


def random_starts(rng, count):
    """Whole minutes within three days of a clock change or a holiday."""
    return [
        rng.choice(AROUND) + timedelta(minutes=rng.randrange(-3 * 1440, 3 * 1440))
        for _n in range(count)
    ]


@pytest.mark.parametrize(
    "calendar",
    [
        region_calendar(Region.AMERICAS_WEST),
        region_calendar(Region.EMEA),
        region_calendar(Region.RUSSIA),
        region_calendar(Region.EMEA, {0: (time(8), time(20)), 5: (time(10), time(14))}),
        WorkingCalendar(
            tz="Europe/Berlin", country="DE", hours={d: (time(0), time(0)) for d in range(7)}
        ),
        WorkingCalendar(tz="America/New_York", country="US", hours={6: (time(0), time(0))}),
    ],
    ids=["pst", "emea", "russia", "declared", "berlin-all-days", "new-york-sundays"],
)
def test_cached_business_hours_agree_with_counting_minute_by_minute(calendar):
    """R5.4, R5.5 The binary search over laid-out working intervals gives, for random instants
    around clock changes and public holidays, the instant a minute-by-minute count reaches the
    hours; and so does the calendar's day-by-day walk."""
    cache = DeadlineCache()
    rng = random.Random(20261201)
    for start in random_starts(rng, 60):
        hours = rng.choice(
            [Decimal("0.5"), Decimal("1"), Decimal("4"), Decimal("8"), Decimal("16")]
        )
        expected = counted_minute_by_minute(calendar, start, hours)

        assert cache.add_business_hours(calendar, start, hours) == expected, (start, hours)
        assert calendar.add_business_hours(start, float(hours)) == expected, (start, hours)


@pytest.mark.parametrize("region", [Region.AMERICAS_EAST, Region.EMEA, Region.RUSSIA])
def test_a_batchs_deadlines_agree_with_counting_minute_by_minute(region):
    """R5.4, R5.5 The deadlines of a batch (its policies looked up once, each case's start
    searched once for both deadlines) are, for random cases around clock changes and
    holidays, the instants a minute-by-minute count of the region's business hours reaches the
    policy's hours; a 24×7 policy adds its hours as they are."""
    SLAPolicy.objects.create(
        package="basic",
        priority="critical",
        response_hours=Decimal("0.5"),
        resolution_hours=Decimal("6.5"),
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
    )
    policies = {
        (p.package, p.priority): p
        for p in SLAPolicy.objects.filter(package__in=["basic", "business", "premium"])
    }
    calendar = region_calendar(region)
    cache = DeadlineCache()
    rng = random.Random(7)
    for start in random_starts(rng, 40):
        package, priority = rng.choice(
            [("basic", "medium"), ("basic", "critical"), ("business", "low"), ("premium", "high")]
        )
        policy = policies.get((package, priority)) or policies[(package, "")]
        registered_at = start.astimezone(rng.choice([UTC, calendar.zone, MOSCOW]))

        response, resolution = deadlines(
            cache, package, registered_at, region=region, priority=priority
        )

        if policy.around_the_clock:
            assert response == start + timedelta(hours=float(policy.response_hours))
            assert resolution == start + timedelta(hours=float(policy.resolution_hours))
        else:
            assert response == counted_minute_by_minute(calendar, start, policy.response_hours)
            assert resolution == counted_minute_by_minute(calendar, start, policy.resolution_hours)
        assert response.tzinfo is registered_at.tzinfo and resolution.tzinfo is registered_at.tzinfo


def test_the_policy_of_a_batch_is_the_one_in_force_at_each_instant():
    """R5.4 Around each change of a package's policy and of a priority's own, the policy a
    batch finds (laid out once) is the one `policy()` finds for that very instant."""
    SLAPolicy.objects.filter(package="basic").delete()
    changes = [datetime(2026, month, 1, 12, tzinfo=UTC) for month in (2, 5, 8, 11)]
    for n, at in enumerate(changes):
        SLAPolicy.objects.create(
            package="basic", priority="", response_hours=8 + n, resolution_hours=40, valid_from=at
        )
    for at in changes[1::2]:
        SLAPolicy.objects.create(
            package="basic",
            priority="critical",
            response_hours=1,
            resolution_hours=4,
            valid_from=at + timedelta(days=3),
        )
    laid_out, asked = DeadlineCache(), DeadlineCache()
    moments = [
        at + offset
        for change in changes
        for at in (change, change + timedelta(days=3))
        for offset in (-timedelta(microseconds=1), timedelta(0), timedelta(microseconds=1))
    ]
    for moment in [datetime(2026, 1, 1, tzinfo=UTC), *moments, datetime(2027, 1, 1, tzinfo=UTC)]:
        for priority in ("critical", "medium", ""):
            expected = asked.policy("basic", priority, moment)
            found = laid_out._policy_at("basic", priority, _us(moment))

            assert found == expected, (moment, priority)


@pytest.mark.parametrize("region", [Region.AMERICAS_WEST, Region.APAC])
def test_instants_at_the_edges_of_the_laid_out_days_agree_with_the_calendar(region):
    """R5.4 The days laid out around a batch's first case end somewhere: instants hours before
    and after either end (whatever the zone's offset) are laid out again or extended first,
    and give the calendar's own deadlines."""
    calendar = region_calendar(region)
    first = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    for edge in (first - timedelta(days=_MARGIN_DAYS), first + timedelta(days=_MARGIN_DAYS)):
        for hours_off in range(-96, 97, 5):
            start = edge + timedelta(hours=hours_off)
            cache = DeadlineCache()
            cache.add_business_hours(calendar, first, 1)  # laid out around `first`

            assert cache.add_business_hours(calendar, start, Decimal("8")) == (
                calendar.add_business_hours(start, 8.0)
            ), start
