"""The portal's one business calendar: working days and hours of a region, in its time zone.

"Business day" and "business hour" mean the same everywhere: pre-sale answers (R4.4), SLA
deadlines of support cases (R5.4, R5.5) and the critical-fix review (R6.5) all count here.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """The support regions of regulation 4.2 (R4.5)."""

    AMERICAS_EAST = "americas_east", _("Americas, EST (UTC−5)")
    AMERICAS_WEST = "americas_west", _("Americas, PST (UTC−8)")
    APAC = "apac", _("APAC, GST (UTC+4)")
    EMEA = "emea", _("EMEA (UTC+1)")
    RUSSIA = "russia", _("Russia, MSK (UTC+3)")


# Each region's clock and public holidays. Zones follow local clocks (daylight saving
# included), since customers keep local hours; the offsets in the names are the regulation's.
REGION_ZONES = {
    Region.AMERICAS_EAST: ("America/New_York", "US"),
    Region.AMERICAS_WEST: ("America/Los_Angeles", "US"),
    Region.APAC: ("Asia/Dubai", "AE"),
    Region.EMEA: ("Europe/Berlin", "DE"),
    Region.RUSSIA: ("Europe/Moscow", "RU"),
}

WEEKDAYS_9_TO_18 = {day: (time(9), time(18)) for day in range(5)}


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours by weekday (0 = Monday) in `tz`, less the public holidays of `country`.

    A day's hours run from its opening time; a closing time at or before the opening is on the
    next day: 19:00–10:00 works until 10:00 the next morning, 09:00–18:00 closes the same
    day, and the same time for both (00:00–00:00, 09:00–09:00) is round the clock, 24 hours
    from the opening. Hours past midnight belong to the day they began on: a holiday that day
    closes them, a holiday the next day does not.
    """

    tz: str
    country: str = ""
    hours: dict[int, tuple[time, time]] = field(default_factory=lambda: dict(WEEKDAYS_9_TO_18))

    def __hash__(self):
        return hash((self.tz, self.country, tuple(sorted(self.hours.items()))))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() not in self.hours:
            return False
        return not (self.country and day in _holidays(self.country, day.year))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` business days later: a question on Friday at 17:00
        with two business days is due on Tuesday at 17:00; a holiday in between moves it."""
        local = start.astimezone(self.zone)
        day = local.date()
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                remaining -= 1
        due = datetime.combine(day, local.time(), tzinfo=self.zone)
        return due.astimezone(start.tzinfo)

    def span(self, day: date) -> tuple[datetime, datetime] | None:
        """The working interval (in UTC) that begins on `day`, or None on a closed day.

        Hours are counted in real time: on a day when the clocks change, a day open from 00:00
        to 00:00 has 23 or 25 of them."""
        if not self.is_business_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        end_day = day + timedelta(days=1) if closes <= opens else day
        return self._at(day, opens), self._at(end_day, closes)

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start`, counting only working hours.

        An overnight interval of the day before may still be running at `start`, and it may
        overlap the next day's opening: time is counted once."""
        remaining = timedelta(hours=hours)
        moment = start.astimezone(UTC)
        day = moment.astimezone(self.zone).date() - timedelta(days=1)
        for _guard in range(3 * 366):  # a calendar with no working day at all must not hang
            interval = self.span(day)
            if interval is not None:
                begin, end = max(moment, interval[0]), interval[1]
                if begin < end:
                    if begin + remaining <= end:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= end - begin
                    moment = end
            day += timedelta(days=1)
        raise ValueError("The calendar has no working hours.")

    def _at(self, day: date, clock: time) -> datetime:
        """The instant (in UTC) of a local wall-clock time on `day`."""
        return datetime.combine(day, clock, tzinfo=self.zone).astimezone(UTC)


def team_calendar() -> WorkingCalendar:
    """The Marketplace team's working days (critical-fix reviews are counted in them, R6.5)."""
    return WorkingCalendar(tz=settings.TEAM_TIME_ZONE, country=settings.TEAM_HOLIDAYS_COUNTRY)


def region_calendar(region: str, hours: dict[int, tuple[time, time]] | None = None):
    tz, country = REGION_ZONES[Region(region)]
    return WorkingCalendar(tz=tz, country=country, hours=hours or dict(WEEKDAYS_9_TO_18))


def around_the_clock(tz: str = "UTC") -> WorkingCalendar:
    """Premium support: every hour of every day counts."""
    return WorkingCalendar(tz=tz, hours={day: (time(0), time(0)) for day in range(7)})


def declared_calendar(region_support) -> WorkingCalendar:
    """The calendar of a region as the partner declared it (RegionSupport.hours)."""
    hours = {
        int(day): (time.fromisoformat(opens), time.fromisoformat(closes))
        for day, (opens, closes) in region_support.hours.items()
        if opens and closes
    }
    return region_calendar(region_support.region, hours=hours or None)
