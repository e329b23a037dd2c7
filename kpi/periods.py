"""Reporting periods: a month ("2026-10") or a half-year ("2026-H2"), as [start, end) in the
reporting time zone (settings.KPI_REPORTING_TIME_ZONE)."""

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

MONTH = "month"
HALF_YEAR = "half_year"

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_HALF_RE = re.compile(r"^(\d{4})-H([12])$")


@dataclass(frozen=True)
class Period:
    name: str
    kind: str
    start: datetime
    end: datetime  # exclusive

    @property
    def is_month(self) -> bool:
        return self.kind == MONTH

    def is_over(self, as_of: datetime) -> bool:
        """A period evaluated before its end gives provisional figures only."""
        return as_of >= self.end


def reporting_zone() -> ZoneInfo:
    return ZoneInfo(settings.KPI_REPORTING_TIME_ZONE)


def _first_of(year: int, month: int, zone) -> datetime:
    if month > 12:
        year, month = year + 1, month - 12
    return datetime(year, month, 1, tzinfo=zone)


def parse_period(name: str) -> Period:
    """ "2026-10" → October 2026, "2026-H2" → July–December 2026; ValueError otherwise."""
    if not name:
        raise ValueError(_("A period is a month like 2026-10 or a half-year like 2026-H2."))
    name = name.strip()
    zone = reporting_zone()
    if match := _MONTH_RE.match(name):
        year, month = int(match[1]), int(match[2])
        return Period(name, MONTH, _first_of(year, month, zone), _first_of(year, month + 1, zone))
    if match := _HALF_RE.match(name):
        year, half = int(match[1]), int(match[2])
        first = 1 if half == 1 else 7
        return Period(
            name, HALF_YEAR, _first_of(year, first, zone), _first_of(year, first + 6, zone)
        )
    raise ValueError(_("A period is a month like 2026-10 or a half-year like 2026-H2."))


def _month_number(moment: datetime) -> int:
    """Months since January of year 0 of the month `moment` falls in (reporting time zone)."""
    local = moment.astimezone(reporting_zone())
    return local.year * 12 + local.month - 1


def _month_name(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_of(moment: datetime) -> str:
    """The name of the month `moment` falls in (reporting time zone): "2026-10"."""
    return _month_name(_month_number(moment))


def half_year_of(moment: datetime) -> str:
    """The name of the half-year `moment` falls in (reporting time zone): "2026-H2"."""
    local = moment.astimezone(reporting_zone())
    return f"{local.year:04d}-H{1 if local.month <= 6 else 2}"


def previous_month(moment: datetime) -> str:
    """The name of the month before the one `moment` falls in (reporting time zone)."""
    return _month_name(_month_number(moment) - 1)


def previous_half_year(moment: datetime) -> str:
    """The name of the half-year before the one `moment` falls in (reporting time zone)."""
    local = moment.astimezone(reporting_zone())
    return f"{local.year:04d}-H1" if local.month > 6 else f"{local.year - 1:04d}-H2"


def recent_months(as_of: datetime, count: int) -> list[Period]:
    """The month `as_of` falls in and the `count - 1` before it, newest first."""
    last = _month_number(as_of)
    return [parse_period(_month_name(last - back)) for back in range(count)]


def half_years_of(periods: list[Period]) -> list[Period]:
    """The half-years the periods start in, newest first as the periods are given."""
    names = dict.fromkeys(half_year_of(period.start) for period in periods)
    return [parse_period(name) for name in names]
