"""SLA deadlines of support cases: policies, region calendars, weekends and holidays."""

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kpi.deadlines import DeadlineCache, _Timeline
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
