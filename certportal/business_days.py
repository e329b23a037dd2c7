"""Business-day arithmetic: weekends and public holidays skipped, in a given time zone."""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=32)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_business_day(day: date, *, country: str = "") -> bool:
    if day.weekday() >= 5:
        return False
    return not (country and day in _holidays(country, day.year))


def add_business_days(
    start: datetime, days: int, *, tz: str = "UTC", country: str = ""
) -> datetime:
    """The same local time `days` business days after `start` (a request made on Friday at
    17:00 with two business days is due on Tuesday at 17:00, a holiday moving it further)."""
    local = start.astimezone(ZoneInfo(tz))
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, country=country):
            remaining -= 1
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=ZoneInfo(tz))
    return due.astimezone(start.tzinfo)
