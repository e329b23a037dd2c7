"""One business calendar for the whole portal: days and hours of a region, in its zone."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from support_audit.business_hours import (
    Region,
    WorkingCalendar,
    around_the_clock,
    declared_calendar,
    region_calendar,
)
from support_audit.models import RegionSupport

PST = ZoneInfo("America/Los_Angeles")


def test_presale_question_on_friday_evening_in_pst_is_due_on_tuesday_evening():
    """R4.4: two business days from Friday 17:00 PST is Tuesday 17:00 PST."""
    asked = datetime(2026, 11, 13, 17, 0, tzinfo=PST)

    due = region_calendar(Region.AMERICAS_WEST).add_business_days(asked, 2)

    assert due == datetime(2026, 11, 17, 17, 0, tzinfo=PST)


def test_presale_deadline_moves_past_a_holiday_in_between():
    """R4.4: a public holiday of the region is no business day (Thanksgiving, 26 Nov 2026)."""
    asked = datetime(2026, 11, 24, 17, 0, tzinfo=PST)  # Tuesday

    due = region_calendar(Region.AMERICAS_WEST).add_business_days(asked, 2)

    assert due == datetime(2026, 11, 27, 17, 0, tzinfo=PST)  # Wednesday, then Friday


def test_deadline_is_the_same_instant_whatever_zone_it_is_asked_in():
    asked_utc = datetime(2026, 11, 14, 1, 0, tzinfo=UTC)  # Friday 17:00 in PST

    due = region_calendar(Region.AMERICAS_WEST).add_business_days(asked_utc, 2)

    assert due == datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
    assert due.tzinfo == UTC


def test_business_hours_skip_the_night_and_the_weekend():
    calendar = WorkingCalendar(tz="Europe/Moscow", country="RU")
    friday_late = datetime(2026, 11, 13, 16, 0, tzinfo=ZoneInfo("Europe/Moscow"))

    due = calendar.add_business_hours(friday_late, 4)

    # Two hours on Friday (16–18), two on Monday (9–11).
    assert due == datetime(2026, 11, 16, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))


def test_business_hours_asked_before_opening_start_at_opening():
    calendar = WorkingCalendar(tz="Asia/Dubai", hours={d: (time(8), time(17)) for d in range(5)})
    early = datetime(2026, 11, 17, 6, 30, tzinfo=ZoneInfo("Asia/Dubai"))

    assert calendar.add_business_hours(early, 1) == datetime(
        2026, 11, 17, 9, 0, tzinfo=ZoneInfo("Asia/Dubai")
    )


def test_around_the_clock_counts_every_hour():
    saturday = datetime(2026, 11, 14, 23, 30, tzinfo=UTC)

    assert around_the_clock().add_business_hours(saturday, 1) == datetime(
        2026, 11, 15, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("region", list(Region))
def test_every_region_has_a_calendar(region):
    calendar = region_calendar(region)

    assert calendar.is_business_day(datetime(2026, 11, 18).date())


def test_declared_hours_make_the_regions_calendar():
    """R4.5: business hours are the ones declared for the region, in its time zone."""
    support = RegionSupport(
        region=Region.RUSSIA,
        language="ru",
        hours={"0": ["10:00", "19:00"], "5": ["10:00", "14:00"]},
    )
    moscow = ZoneInfo("Europe/Moscow")

    calendar = declared_calendar(support)

    assert calendar.add_business_hours(datetime(2026, 11, 16, 18, 0, tzinfo=moscow), 2) == datetime(
        2026, 11, 21, 11, 0, tzinfo=moscow
    )  # Monday 18–19, then Saturday 10–11 (Tuesday to Friday are not declared)
