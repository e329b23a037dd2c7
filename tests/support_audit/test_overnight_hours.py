"""Support hours past midnight: 19:00–10:00 works until 10:00 the next morning (R4.5).

The business calendar and the SLA deadlines computed from the declared hours (R5.4, R5.5)
count such a night once, across midnight, a month's end and 29 February, in the regions whose
clocks do not change (Dubai, Moscow) and in one whose clocks do (Berlin).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kpi.deadlines import DeadlineCache
from support_audit.business_hours import Region, WorkingCalendar, declared_calendar
from support_audit.models import RegionSupport
from tests.factories.support_audit import RegionSupportFactory, SupportDeclarationFactory
from tests.factories.workflow import CertificationFactory

DUBAI = ZoneInfo("Asia/Dubai")
MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")

NIGHTS = {day: (time(19), time(10)) for day in range(5)}  # Monday to Friday, 19:00–10:00


def nights(tz: str, country: str = "") -> WorkingCalendar:
    return WorkingCalendar(tz=tz, country=country, hours=dict(NIGHTS))


def test_a_case_in_the_evening_is_due_in_the_small_hours_of_the_next_day():
    """R4.5: Monday 22:00 plus 4 hours of a 19:00–10:00 night is Tuesday 02:00 in Dubai."""
    monday_evening = datetime(2026, 11, 16, 22, 0, tzinfo=DUBAI)

    due = nights("Asia/Dubai").add_business_hours(monday_evening, 4)

    assert due == datetime(2026, 11, 17, 2, 0, tzinfo=DUBAI)


def test_a_case_before_dawn_counts_in_the_night_that_began_the_day_before():
    """R4.5: Tuesday 06:00 is inside Monday's night: 3 hours run until 09:00, not past 19:00."""
    tuesday_dawn = datetime(2026, 11, 17, 6, 0, tzinfo=DUBAI)

    due = nights("Asia/Dubai").add_business_hours(tuesday_dawn, 3)

    assert due == datetime(2026, 11, 17, 9, 0, tzinfo=DUBAI)


def test_the_end_of_the_night_carries_over_to_the_next_evening():
    """R4.5: 5 hours from Tuesday 08:00: 2 until 10:00, 3 from 19:00, so due 22:00."""
    tuesday_morning = datetime(2026, 11, 17, 8, 0, tzinfo=DUBAI)

    due = nights("Asia/Dubai").add_business_hours(tuesday_morning, 5)

    assert due == datetime(2026, 11, 17, 22, 0, tzinfo=DUBAI)


def test_a_night_overlapping_the_next_days_opening_is_counted_once():
    """R4.5: Monday 19:00–10:00 and Tuesday 09:00–18:00 overlap 09:00–10:00: Tuesday 08:00 plus
    3 hours is 11:00, not 10:00."""
    hours = {0: (time(19), time(10)), 1: (time(9), time(18))}
    calendar = WorkingCalendar(tz="Europe/Moscow", hours=hours)

    due = calendar.add_business_hours(datetime(2026, 11, 17, 8, 0, tzinfo=MOSCOW), 3)

    assert due == datetime(2026, 11, 17, 11, 0, tzinfo=MOSCOW)


def test_friday_night_ends_on_saturday_morning_and_the_weekend_is_closed():
    """R4.5: Friday 19:00–10:00 works Saturday until 10:00; the next hour is Monday 19:00."""
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=MOSCOW)

    due = nights("Europe/Moscow").add_business_hours(saturday, 2)

    assert due == datetime(2026, 11, 23, 20, 0, tzinfo=MOSCOW)


def test_a_night_runs_over_the_end_of_the_month():
    """R4.5: Monday 30 November 23:00 plus 5 hours is 1 December 04:00 (Moscow)."""
    last_evening = datetime(2026, 11, 30, 23, 0, tzinfo=MOSCOW)

    due = nights("Europe/Moscow").add_business_hours(last_evening, 5)

    assert due == datetime(2026, 12, 1, 4, 0, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Monday 28 February 2028 at night into the leap day.
        (datetime(2028, 2, 28, 23, 0), 6, datetime(2028, 2, 29, 5, 0)),
        # The leap day's night into 1 March.
        (datetime(2028, 2, 29, 21, 0), 10, datetime(2028, 3, 1, 7, 0)),
        # 15 working hours per night: the night of the 28th, then the leap day's.
        (datetime(2028, 2, 28, 19, 0), 16, datetime(2028, 2, 29, 20, 0)),
    ],
)
def test_nights_around_the_29th_of_february(start, hours, due):
    """R4.5: a leap year's 29 February is one more night like the others."""
    calendar = nights("Asia/Dubai")

    assert calendar.add_business_hours(start.replace(tzinfo=DUBAI), hours) == due.replace(
        tzinfo=DUBAI
    )


def test_a_holiday_closes_the_night_that_begins_on_it_not_the_one_before():
    """R4.5: Unity Day (Wednesday 4 November 2026) is no working night; Tuesday's night still
    runs until Wednesday 10:00, and the next working hour after it is Thursday 19:00."""
    calendar = nights("Europe/Moscow", "RU")

    due = calendar.add_business_hours(datetime(2026, 11, 4, 9, 0, tzinfo=MOSCOW), 2)

    assert due == datetime(2026, 11, 5, 20, 0, tzinfo=MOSCOW)


def test_a_night_when_the_clocks_go_back_has_one_hour_more():
    """R4.5: Berlin's clocks go back on Sunday 25 October 2026: a Saturday 19:00–10:00 night is
    16 hours long, counted in real time."""
    calendar = WorkingCalendar(tz="Europe/Berlin", hours={5: (time(19), time(10))})
    saturday = datetime(2026, 10, 24, 19, 0, tzinfo=BERLIN)

    due = calendar.add_business_hours(saturday, 16)

    assert due == datetime(2026, 10, 25, 10, 0, tzinfo=BERLIN)


def test_the_same_opening_and_closing_time_is_round_the_clock():
    """R4.5: 09:00–09:00 is 24 hours from the opening; 00:00–00:00 is the whole day."""
    from_nine = WorkingCalendar(tz="Asia/Dubai", hours={0: (time(9), time(9))})
    whole_day = WorkingCalendar(tz="Asia/Dubai", hours={0: (time(0), time(0))})
    monday = datetime(2026, 11, 16, 9, 0, tzinfo=DUBAI)

    assert from_nine.add_business_hours(monday, 24) == monday + timedelta(hours=24)
    assert whole_day.add_business_hours(monday, 15) == datetime(2026, 11, 17, 0, 0, tzinfo=DUBAI)


def test_declared_overnight_hours_make_the_regions_calendar():
    """R4.5: hours declared as ["19:00", "10:00"] are read as a night."""
    support = RegionSupport(region=Region.APAC, language="en", hours={"0": ["19:00", "10:00"]})

    calendar = declared_calendar(support)

    assert calendar.add_business_hours(datetime(2026, 11, 16, 20, 0, tzinfo=DUBAI), 10) == (
        datetime(2026, 11, 17, 6, 0, tzinfo=DUBAI)
    )


def test_the_deadline_cache_gives_the_same_instants_as_the_calendar_over_nights():
    """R5.4: the KPI job's fast path agrees with the calendar hour by hour over two weeks of
    overlapping nights and days, a month's end included."""
    hours = dict(NIGHTS) | {1: (time(9), time(18)), 5: (time(22), time(2))}
    calendar = WorkingCalendar(tz="Europe/Moscow", country="RU", hours=hours)
    cache = DeadlineCache()
    start = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)

    for step in range(14 * 24):
        moment = start + timedelta(hours=step)
        for span in (1, 8, 40):
            assert cache.add_business_hours(calendar, moment, span) == (
                calendar.add_business_hours(moment, span)
            ), (moment, span)


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), tick=False)
def test_a_case_registered_at_night_is_due_within_the_declared_night():
    """R5.4: a Basic case (8 business hours) of a partner supporting Moscow 19:00–10:00, sent on
    Monday 30 November at 23:00, is due on 1 December at 07:00, not days later."""
    certification = CertificationFactory()
    declaration = SupportDeclarationFactory(application=certification.application, regions=False)
    RegionSupportFactory(
        declaration=declaration,
        region=Region.RUSSIA,
        language="ru",
        hours={str(day): ["19:00", "10:00"] for day in range(5)},
    )

    response, _resolution = DeadlineCache().deadlines(
        solution_id=certification.solution_id,
        package="basic",
        priority="",
        region=Region.RUSSIA,
        registered_at=datetime(2026, 11, 30, 23, 0, tzinfo=MOSCOW),
    )

    assert response == datetime(2026, 12, 1, 7, 0, tzinfo=MOSCOW)
    assert response.date() == date(2026, 12, 1)
