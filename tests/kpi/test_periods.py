"""Reporting periods: a month or a half-year as [start, end) in the reporting time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kpi.periods import (
    HALF_YEAR,
    MONTH,
    half_year_of,
    half_years_of,
    month_of,
    parse_period,
    previous_half_year,
    previous_month,
    recent_months,
)

MOSCOW = ZoneInfo("Europe/Moscow")
TICK = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _moscow(settings):
    settings.KPI_REPORTING_TIME_ZONE = "Europe/Moscow"


def test_a_month_runs_from_its_first_instant_to_the_next_months():
    october = parse_period("2026-10")

    assert (october.name, october.kind, october.is_month) == ("2026-10", MONTH, True)
    assert october.start == datetime(2026, 10, 1, tzinfo=MOSCOW)
    assert october.end == datetime(2026, 11, 1, tzinfo=MOSCOW)


def test_december_ends_on_the_first_of_january():
    december = parse_period("2026-12")

    assert december.start == datetime(2026, 12, 1, tzinfo=MOSCOW)
    assert december.end == datetime(2027, 1, 1, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("2026-H1", datetime(2026, 1, 1, tzinfo=MOSCOW), datetime(2026, 7, 1, tzinfo=MOSCOW)),
        ("2026-H2", datetime(2026, 7, 1, tzinfo=MOSCOW), datetime(2027, 1, 1, tzinfo=MOSCOW)),
    ],
)
def test_a_half_year_is_six_months(name, start, end):
    half = parse_period(name)

    assert (half.kind, half.is_month, half.start, half.end) == (HALF_YEAR, False, start, end)


def test_a_name_with_spaces_around_it_is_read():
    assert parse_period(" 2026-01 ").name == "2026-01"


@pytest.mark.parametrize(
    "name", ["2026-13", "2026-00", "2026-1", "26-10", "2026-H0", "2026-H3", "2026-h1", "", None]
)
def test_anything_else_is_refused_with_a_message(name):
    with pytest.raises(
        ValueError, match=r"^A period is a month like 2026-10 or a half-year like 2026-H2\.$"
    ):
        parse_period(name)


def test_a_period_is_over_from_its_end_on():
    october = parse_period("2026-10")

    assert not october.is_over(october.end - TICK)
    assert october.is_over(october.end)


def test_the_month_of_an_instant_is_taken_in_the_reporting_time_zone():
    """R5.2 A case registered at 22:30 UTC on 31 October belongs to November in Moscow."""
    november = parse_period("2026-11")

    assert month_of(datetime(2026, 10, 31, 22, 30, tzinfo=UTC)) == "2026-11"
    assert month_of(november.start) == "2026-11"
    assert month_of(november.start - TICK) == "2026-10"
    assert month_of(november.end - TICK) == "2026-11"


def test_the_half_year_of_an_instant_changes_on_the_first_of_july():
    july = datetime(2026, 7, 1, tzinfo=MOSCOW)

    assert half_year_of(july) == "2026-H2"
    assert half_year_of(july - TICK) == "2026-H1"
    assert half_year_of(datetime(2026, 12, 31, 23, 59, tzinfo=MOSCOW)) == "2026-H2"
    assert half_year_of(datetime(2027, 1, 1, tzinfo=MOSCOW)) == "2027-H1"


@pytest.mark.parametrize(
    ("moment", "month", "half"),
    [
        (datetime(2026, 11, 1, tzinfo=MOSCOW), "2026-10", "2026-H1"),
        (datetime(2026, 10, 31, 23, 59, tzinfo=MOSCOW), "2026-09", "2026-H1"),
        (datetime(2027, 1, 1, tzinfo=MOSCOW), "2026-12", "2026-H2"),
        (datetime(2027, 3, 1, tzinfo=MOSCOW), "2027-02", "2026-H2"),
        (datetime(2027, 7, 1, tzinfo=MOSCOW), "2027-06", "2027-H1"),
        (datetime(2027, 7, 1, tzinfo=MOSCOW) - TICK, "2027-05", "2026-H2"),
        (datetime(2027, 12, 31, 23, 59, tzinfo=MOSCOW), "2027-11", "2027-H1"),
    ],
)
def test_the_previous_month_and_half_year(moment, month, half):
    assert (previous_month(moment), previous_half_year(moment)) == (month, half)


def test_recent_months_newest_first_across_a_new_year():
    months = recent_months(datetime(2027, 2, 10, tzinfo=MOSCOW), 4)

    assert [p.name for p in months] == ["2027-02", "2027-01", "2026-12", "2026-11"]
    assert len(recent_months(datetime(2027, 2, 10, tzinfo=MOSCOW), 1)) == 1


def test_the_half_years_of_months_once_each_in_their_order():
    months = recent_months(datetime(2027, 2, 10, tzinfo=MOSCOW), 9)

    assert [p.name for p in half_years_of(months)] == ["2027-H1", "2026-H2", "2026-H1"]
