"""Imports of support cases and NPS answers: from a CSV file or from a list of dicts.

Every row is validated in Python; if any row is bad, nothing of the batch is stored and every
error of every bad row is reported as a `RowError` (line, column, the value, reason): a row is
parsed at once, and only a row found bad is checked again column by column (`Checks`), so that
a good batch pays nothing for the report. Good batches are written with bulk
operations: a case is identified by (solution, case id) and an NPS answer by (solution,
respondent, half-year), so importing again updates rather than duplicates; the same case twice
in one batch is refused. Two imports of the same solutions' rows at the same time take turns
(`bulk.lock_solutions`): the second finds the first's rows stored and reports them updated,
never a duplicate-key error.

A case names its customer, whose contract (support package and region) decides its SLA; the
portal computes every deadline, and a batch that sends deadlines is refused. A pre-sale question
comes from a prospect and names no customer record. An NPS answer comes from a customer of the
solution whose subscription or paid support is active on the answer's day (R5.1).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Solution
from support_audit.business_hours import Region
from support_audit.enums import SupportPackage
from support_audit.services import escalations_notify

from . import bulk, finality
from .deadlines import DeadlineCache
from .models import CasePriority, Customer, NPSAnswer, SupportCase
from .periods import half_year_of, reporting_zone

CASE_COLUMNS = (
    "solution",
    "case_id",
    "customer",
    "support_package",
    "priority",
    "region",
    "registered_at",
    "first_response_at",
    "resolved_at",
    "escalation_level",
    "csat",
    "presale",
)
CASE_REQUIRED = ("solution", "case_id", "registered_at")
# Columns of earlier files that are refused, with the reason.
DEADLINE_COLUMNS = ("response_due_at", "resolution_due_at")
NPS_COLUMNS = ("solution", "respondent", "answered_at", "score")
NPS_REQUIRED = NPS_COLUMNS
# The stored fields (the slug becomes the solution's id, the deadlines are computed), then the
# import time.
CASE_FIELDS = (
    "solution_id",
    *CASE_COLUMNS[1:9],
    "response_due_at",
    "resolution_due_at",
    *CASE_COLUMNS[9:],
    "imported_at",
)
# A re-imported case keeps its identity, (solution, case_id), and takes every other value.
CASE_UPDATE_FIELDS = [field for field in CASE_FIELDS if field not in ("solution_id", "case_id")]
_ESCALATION = CASE_FIELDS.index("escalation_level")
_RESOLVED = CASE_FIELDS.index("resolved_at")
_REGISTERED = CASE_FIELDS.index("registered_at")
BATCH_SIZE = 2000
# The values an enumerated column takes, from the choices of the stored fields: what the rows are
# checked against, and what the templates and the KPI page list (kpi.templates).
PACKAGES = tuple(SupportPackage.values)
PRIORITIES = tuple(CasePriority.values)
REGIONS = tuple(Region.values)
_PACKAGES = frozenset(PACKAGES)
_PRIORITIES = frozenset(PRIORITIES)
_REGIONS = frozenset(REGIONS)
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str
    # The field's value as sent, for the error report; two errors of a line and column with
    # the same reason are the same error whatever it shows.
    value: str = field(default="", compare=False)

    def __str__(self):
        return _("line %(line)s, column %(column)s: %(reason)s") % {
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
        }


class ImportRejected(Exception):
    """The batch had bad rows; nothing was stored. `errors` is every error, by line (the
    header's first), in the order of the columns within a line."""

    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda error: error.line)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class BadValue(Exception):
    """A value of a row that cannot be stored: reported as a RowError of its line."""

    def __init__(self, column, reason):
        self.column, self.reason = column, reason

    @property
    def problems(self) -> list["BadValue"]:
        return [self]


class BadValues(BadValue):
    """Several values of a row that cannot be stored together (each is a RowError)."""

    def __init__(self, problems: list[BadValue]):
        super().__init__(problems[0].column, problems[0].reason)
        self._problems = problems

    @property
    def problems(self) -> list[BadValue]:
        return self._problems


class _Missing:
    """The value of a column the file's header lacks: read as a blank field, and reported once
    as the header's error rather than on every row."""

    def __str__(self):
        return ""

    def __bool__(self):
        return False


MISSING = _Missing()


class Checks:
    """Every error of one row: each check runs on its own, and what it refuses becomes a
    RowError of the line with the field's value; a check that failed gives None."""

    def __init__(self, line: int, row: dict):
        self.line, self.row = line, row
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except BadValue as bad:
            self.add(bad)
            return None

    def add(self, bad: BadValue) -> None:
        for problem in bad.problems:
            value = self.row.get(problem.column)
            if value is MISSING:
                continue
            self.errors.append(RowError(self.line, problem.column, problem.reason, _shown(value)))


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def every_error(line: int, row: dict, bad: BadValue, check: Callable, *args) -> list[RowError]:
    """The errors of a row found bad (`bad`, the first): `check(checks, row, *args)` runs every
    check of the row."""
    checks = Checks(line, row)
    check(checks, row, *args)
    if not checks.errors:  # the checks must find at least what the parse found
        checks.add(bad)
    return checks.errors


# Reading ---------------------------------------------------------------------------------


class BadFile(ValueError):
    """A file that is not comma-separated UTF-8 text; the message says how to save it."""


def deadlines_refused() -> str:
    return _(
        "deadlines are not accepted: the portal computes them from the customer's SLA "
        "(its support package and region); remove this column"
    )


def csv_text(content: bytes) -> str:
    """The text of an uploaded or read CSV file; BadFile when it is not UTF-8 text.

    A byte-order mark, as spreadsheet programs write one, is not part of the header.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or content[:200].count(b"\x00") > 1:
        raise BadFile(
            _(
                "The file is UTF-16 text, not UTF-8: save it as “CSV UTF-8 (comma delimited)” "
                "and send it again."
            )
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content.decode("cp1251")
        except UnicodeDecodeError:
            raise BadFile(
                _("The file is not UTF-8 text: save it as “CSV UTF-8” and send it again.")
            ) from None
        raise BadFile(
            _(
                "The file is not UTF-8 text (it was saved in a Windows code page, such as "
                "Windows-1251 or Windows-1252): save it as “CSV UTF-8” and send it again."
            )
        ) from None
    if "\x00" in text:
        raise BadFile(_("The file is not a CSV text file."))
    return text


def csv_rows(text: str) -> int:
    """How many rows a CSV text has below its header, blank lines and comments left out."""
    return (
        sum(
            1
            for values in csv.reader(io.StringIO(text))
            if "".join(values).strip() and not values[0].startswith("#")
        )
        - 1
    )


def read_csv(
    source, columns, *, optional=(), refused=None
) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Rows of a CSV file (path, text or file object) with their line numbers, and the header's
    errors (line 1): every expected column must be there but the `optional` ones, and no other;
    `refused` maps columns of earlier file versions to the reason they are refused.

    A file that is not UTF-8 text, or that separates values with semicolons, is one error.
    """
    if isinstance(source, str | Path) and not (isinstance(source, str) and "\n" in source):
        with open(source, "rb") as handle:
            content = handle.read()
        try:
            source = csv_text(content)
        except BadFile as bad:
            return [], [RowError(1, "-", str(bad))]
    if isinstance(source, str):
        source = io.StringIO(source)
    return _read(source, columns, optional, refused or {})


def _read(handle, columns, optional, refused):
    reader = csv.reader(handle)
    header = next((values for values in reader if "".join(values).strip()), None)
    if header is None:
        return [], [RowError(1, "-", _("the file is empty"))]
    header = [name.strip() for name in header]
    if any(";" in name for name in header):
        return [], [
            RowError(
                1,
                "-",
                _(
                    "the values are separated by semicolons: save the file as “CSV UTF-8 "
                    "(comma delimited)”, with commas between the values"
                ),
            )
        ]
    expected = ",".join(columns)
    missing = [name for name in columns if name not in header and name not in optional]
    errors = [
        RowError(1, name, _("missing column: the header line is %(header)s") % {"header": expected})
        for name in missing
    ] + [
        RowError(
            1,
            name,
            refused.get(name)
            or _("unknown column: the header line is %(header)s") % {"header": expected},
            name,
        )
        for name in header
        if name not in columns
    ]
    absent = dict.fromkeys(missing, MISSING)
    rows = []
    width = len(header)
    for values in reader:
        if not "".join(values).strip():  # a blank line, or only blank values
            continue
        if values[0].startswith("#"):  # a comment, as the templates' allowed values
            continue
        line = reader.line_num
        if len(values) != width:
            errors.append(
                RowError(
                    line,
                    "-",
                    _("expected %(expected)s values, found %(found)s")
                    % {"expected": len(header), "found": len(values)},
                )
            )
            continue
        row = dict(zip(header, values, strict=True))
        if absent:
            row.update(absent)
        rows.append((line, row))
    if not rows and len(errors) == 0:
        errors.append(RowError(2, "-", _("the file has a header line but no rows to import")))
    return rows, errors


def numbered(records) -> list[tuple[int, dict]]:
    """A list of dicts (the API's rows) numbered from 1."""
    return [(number, record) for number, record in enumerate(records, start=1)]


# Field parsing ---------------------------------------------------------------------------


def text_value(row, column, *, required=False, max_length=None) -> str:
    """The stripped text of a field (empty when absent); BadValue if required or too long."""
    value = row.get(column)
    if value.__class__ is not str:  # a CSV gives strings; JSON may give numbers or null
        value = "" if value is None else str(value)
    value = value.strip()
    if required and not value:
        raise BadValue(column, _("a value is required"))
    if max_length and len(value) > max_length:
        raise BadValue(column, _("longer than %(max)s characters") % {"max": max_length})
    return value


def _time(row, column, *, required=False) -> datetime | None:
    value = row.get(column)
    if value.__class__ is str and (text := value.strip()):  # the usual case first
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None and moment.utcoffset() is not None:
                return moment
    return _any_time(row, column, required=required)


def _any_time(row, column, *, required=False) -> datetime | None:
    value = row.get(column)
    if isinstance(value, datetime):
        moment = value
    else:
        value = text_value(row, column, required=required)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise BadValue(
                column,
                _("bad time “%(value)s”: expected ISO 8601 with an offset") % {"value": value},
            ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadValue(column, _("bad time “%(value)s”: the offset is missing") % {"value": value})
    return moment


def _integer(row, column, low, high, *, default=None):
    value = text_value(row, column)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadValue(
            column,
            _("“%(value)s” is not a whole number %(low)s–%(high)s")
            % {"value": value, "low": low, "high": high},
        ) from None
    if not low <= number <= high:
        raise BadValue(
            column,
            _("%(value)s is out of range %(low)s–%(high)s")
            % {"value": number, "low": low, "high": high},
        )
    return number


def _boolean(row, column) -> bool:
    value = row.get(column)
    if isinstance(value, bool):
        return value
    value = text_value(row, column).lower()
    if not value or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise BadValue(
        column, _("“%(value)s” is neither true nor false (nor yes/no, 1/0)") % {"value": value}
    )


@dataclass(frozen=True)
class Scope:
    """The solutions a batch may write (a partner's, or the one of a KPI page), and what a row
    naming any other solution, known or not, is told."""

    solutions: QuerySet
    refusal: Callable[[str], str]


class SolutionsBySlug:
    """Solutions of a batch by slug, read in one query; within `scope` when one is given."""

    def __init__(self, rows, scope: Scope | None = None):
        self.scope = scope
        slugs = {str(row.get("solution") or "").strip() for _line, row in rows}
        allowed = Solution.objects.all() if scope is None else scope.solutions
        self.by_slug = {
            solution.slug: solution
            for solution in allowed.filter(slug__in=slugs - {""}).only("pk", "slug", "marketplace")
        }

    def get(self, row) -> Solution:
        slug = row.get("solution")
        if slug.__class__ is str:  # the usual case first: one look-up
            solution = self.by_slug.get(slug.strip())
            if solution is not None:
                return solution
        slug = text_value(row, "solution", required=True)
        solution = self.by_slug.get(slug)
        if solution is None:
            if self.scope is not None:
                raise BadValue("solution", self.scope.refusal(slug))
            raise BadValue("solution", _("unknown solution “%(slug)s”") % {"slug": slug})
        return solution


def unknown_fields(rows, columns, required, refused=None) -> list[RowError]:
    """Dict rows (the API) must not carry unknown fields; required ones are checked per row.
    `refused` maps fields of earlier versions to the reason they are refused."""
    refused = refused or {}
    errors = []
    for line, row in rows:
        for name in row:
            if name not in columns:
                errors.append(RowError(line, name, refused.get(name) or _("unknown column")))
    return errors


def first_lines(rows, errors, key, column: str, what: Callable[[object], str]) -> None:
    """Refuse every row whose `key` was already on an earlier row of the batch: two rows of
    the same record are not silently merged."""
    seen: dict = {}
    for line, row in rows:
        value = key(row)
        if value is None:
            continue
        if value in seen:
            errors.append(
                RowError(
                    line,
                    column,
                    _("%(what)s is already on line %(line)s of this batch")
                    % {"what": what(value), "line": seen[value]},
                )
            )
        else:
            seen[value] = line


class Contract(NamedTuple):
    """What an import needs of a customer record: its contract and its active days."""

    support_package: str
    region: str
    active_until: date | None

    def get_support_package_display(self) -> str:
        return _choice_label("support_package", self.support_package)

    def get_region_display(self) -> str:
        return _choice_label("region", self.region)


def _choice_label(field: str, value: str) -> str:
    """The label of a customer field's value, as Customer.get_FOO_display gives it."""
    return dict(Customer._meta.get_field(field).flatchoices).get(value, value)


class Contracts:
    """The customer records named by a batch's rows, read in one query:
    (solution id, customer id) → the customer's contract (no model instance per customer)."""

    def __init__(self, rows, solutions: "SolutionsBySlug", *, field: str = "customer"):
        ids = {solution.pk for solution in solutions.by_slug.values()}
        names = {str(row.get(field) or "").strip() for _line, row in rows} - {""}
        self.by_key = {}
        if ids and names:
            customers = Customer.objects.filter(solution_id__in=ids)
            if connection.vendor == "postgresql":
                quote = connection.ops.quote_name
                # A batch names thousands of customers: one array parameter, not one each.
                column = f"{quote(Customer._meta.db_table)}.{quote('customer_id')}"
                customers = customers.filter(
                    RawSQL(
                        f"{column} = ANY(%s::varchar[])",
                        [bulk.array_literal(names)],
                        output_field=BooleanField(),
                    )
                )
            else:
                customers = customers.filter(customer_id__in=names)
            for solution_id, customer_id, *contract in customers.values_list(
                "solution_id", "customer_id", "support_package", "region", "active_until"
            ):
                self.by_key[(solution_id, customer_id)] = Contract(*contract)

    def get(self, solution_id: int, customer_id: str) -> Contract | None:
        return self.by_key.get((solution_id, customer_id))


# Cases -----------------------------------------------------------------------------------


# Translated only when a row is refused (gettext on every row cost a third of the parsing).
_UNKNOWN_PACKAGE = gettext_lazy("unknown support package “%(value)s”: one of %(allowed)s")
_UNKNOWN_REGION = gettext_lazy("unknown region “%(value)s”: one of %(allowed)s")
_UNKNOWN_PRIORITY = gettext_lazy("unknown priority “%(value)s”: one of %(allowed)s")
_ORDER = {frozenset(values): values for values in (PACKAGES, PRIORITIES, REGIONS)}


def _choice(row, column, allowed, unknown) -> str:
    value = row.get(column)
    if value.__class__ is str:  # the usual case first
        value = value.strip().lower()
        if not value or value in allowed:
            return value
    value = text_value(row, column).lower()
    if value and value not in allowed:
        raise BadValue(
            column, str(unknown) % {"value": value, "allowed": ", ".join(_ORDER[allowed])}
        )
    return value


def _plain(row, column, max_length: int) -> str | None:
    """The stripped text of a field given as text, non-empty and at most `max_length` long;
    None otherwise (`text_value` then says what is wrong, or takes what is not text)."""
    value = row.get(column)
    if value.__class__ is str:
        value = value.strip()
        if value and len(value) <= max_length:
            return value
    return None


def _contract(row, solution, contracts: Contracts, presale: bool) -> tuple[str, str, str]:
    """(customer, package, region) of a case row: the customer's contract decides the package
    and the region; given on the row, they must match it. A pre-sale question comes from a
    prospect: it names its region, and a package only if it wants to."""
    customer = _plain(row, "customer", 200)
    if customer is None:
        customer = text_value(row, "customer", required=not presale, max_length=200)
    package = _choice(row, "support_package", _PACKAGES, _UNKNOWN_PACKAGE)
    region = _choice(row, "region", _REGIONS, _UNKNOWN_REGION)
    if presale:
        record = contracts.get(solution.pk, customer) if customer else None
        region = region or (record.region if record is not None else "")
        if not region:
            raise BadValue(
                "region",
                _(
                    "a pre-sale question names its region: it has no customer record to take "
                    "it from"
                ),
            )
        return customer, package, region
    record = contracts.get(solution.pk, customer)
    if record is None:
        raise BadValue(
            "customer",
            _(
                "“%(customer)s” is not a customer of this solution: send it in the list of "
                "customers first (a pre-sale question has presale true)"
            )
            % {"customer": customer},
        )
    contracted_package, contracted_region = record.support_package, record.region
    if not contracted_package or not contracted_region:
        raise BadValue(
            "customer",
            _(
                "the record of customer “%(customer)s” has no support package or region yet: "
                "send the list of customers again with both"
            )
            % {"customer": customer},
        )
    if (package and package != contracted_package) or (region and region != contracted_region):
        raise BadValues(
            [
                BadValue(
                    column,
                    _(
                        "“%(value)s” contradicts the contract of customer “%(customer)s”: "
                        "%(contracted)s (%(label)s)"
                    )
                    % {
                        "value": given,
                        "customer": customer,
                        "contracted": contracted,
                        "label": label(),
                    },
                )
                for column, given, contracted, label in (
                    (
                        "support_package",
                        package,
                        contracted_package,
                        record.get_support_package_display,
                    ),
                    ("region", region, contracted_region, record.get_region_display),
                )
                if given and given != contracted
            ]
        )
    return customer, contracted_package, contracted_region


# The values of a field that are taken at once (stripped, lower case); any other goes through
# the general helpers, which give the same values and errors.
_BOOLEANS = dict.fromkeys(_FALSE, False) | dict.fromkeys(_TRUE, True) | {"": False}
_ESCALATIONS = {"": 0} | {str(level): level for level in range(5)}
_CSATS = {"": None} | {str(score): score for score in range(1, 6)}
_CASE_PRIORITIES = {"": CasePriority.MEDIUM.value} | {value: value for value in _PRIORITIES}


def _known(row, column, values: dict, lower: bool = False):
    """The value `values` maps a field's stripped text to (lower-cased if `lower`); `_UNKNOWN`
    when the field is not text or not among them."""
    value = row.get(column)
    if value.__class__ is not str:
        return _UNKNOWN
    value = value.strip()
    return values.get(value.lower() if lower else value, _UNKNOWN)


_UNKNOWN = object()


ESCALATION_LEVELS = (0, 4)
CSAT_SCORES = (1, 5)
NPS_SCORES = (0, 10)
# A step of a case cannot come before its registration.
_BEFORE_REGISTRATION = {
    "first_response_at": gettext_lazy("response before registration"),
    "resolved_at": gettext_lazy("resolved before registration"),
}


def _priority(row) -> str:
    return _choice(row, "priority", _PRIORITIES, _UNKNOWN_PRIORITY) or CasePriority.MEDIUM.value


def _step(row, column, registered_at: datetime | None) -> datetime | None:
    """The time of a step of the case (first response, resolution): not before `registered_at`
    when it is known."""
    moment = _time(row, column)
    if moment is not None and registered_at is not None and moment < registered_at:
        raise BadValue(column, str(_BEFORE_REGISTRATION[column]))
    return moment


def _deadlines(cache, solution, package, priority, region, registered_at, presale) -> tuple:
    try:
        return cache.deadlines(
            solution_id=solution.pk,
            package=package,
            priority=priority,
            region=region,
            registered_at=registered_at,
            presale=presale,
        )
    except KeyError:
        raise BadValue(
            "support_package",
            _("no SLA policy of the package “%(value)s” in force at the registration")
            % {"value": package},
        ) from None


def _check_case(check: Checks, row, solutions, contracts, cache) -> None:
    """Every check of a case row, each on its own (the row was found bad)."""
    solution = check(solutions.get, row)
    check(text_value, row, "case_id", required=True, max_length=100)
    presale = check(_boolean, row, "presale")
    customer = check(text_value, row, "customer", required=presale is False, max_length=200)
    package = check(_choice, row, "support_package", _PACKAGES, _UNKNOWN_PACKAGE)
    region = check(_choice, row, "region", _REGIONS, _UNKNOWN_REGION)
    contract = None
    if None not in (solution, presale, customer, package, region):
        contract = check(_contract, row, solution, contracts, presale)
    priority = check(_priority, row)
    registered_at = check(_time, row, "registered_at", required=True)
    for column in _BEFORE_REGISTRATION:
        check(_step, row, column, registered_at)
    check(_integer, row, "escalation_level", *ESCALATION_LEVELS, default=0)
    check(_integer, row, "csat", *CSAT_SCORES)
    if None not in (contract, priority, registered_at):
        _customer, package, region = contract
        check(_deadlines, cache, solution, package, priority, region, registered_at, presale)


def _parse_case(line, row, solutions, contracts, cache, now) -> tuple:
    """The validated values of a case row, in the order of CASE_FIELDS.

    Every import's rows go through here, so a field given as plain valid text is taken at
    once; anything else goes through the general helpers, which say what is wrong."""
    solution = solutions.get(row)
    case_id = _plain(row, "case_id", 100)
    if case_id is None:
        case_id = text_value(row, "case_id", required=True, max_length=100)
    presale = _known(row, "presale", _BOOLEANS, lower=True)
    if presale is _UNKNOWN:
        presale = _boolean(row, "presale")
    customer, package, region = _contract(row, solution, contracts, presale)
    priority = _known(row, "priority", _CASE_PRIORITIES, lower=True)
    if priority is _UNKNOWN:
        priority = _priority(row)
    registered_at = _time(row, "registered_at", required=True)
    first_response_at = _step(row, "first_response_at", registered_at)
    resolved_at = _step(row, "resolved_at", registered_at)
    escalation_level = _known(row, "escalation_level", _ESCALATIONS)
    if escalation_level is _UNKNOWN:
        escalation_level = _integer(row, "escalation_level", *ESCALATION_LEVELS, default=0)
    csat = _known(row, "csat", _CSATS)
    if csat is _UNKNOWN:
        csat = _integer(row, "csat", *CSAT_SCORES)
    response_due_at, resolution_due_at = _deadlines(
        cache, solution, package, priority, region, registered_at, presale
    )
    return (
        solution.pk,
        case_id,
        customer,
        package,
        priority,
        region,
        registered_at,
        first_response_at,
        resolved_at,
        response_due_at,
        resolution_due_at,
        escalation_level,
        csat,
        presale,
        now,
    )


def build_cases(values) -> list[SupportCase]:
    """SupportCase instances (not saved) from validated values."""
    return [SupportCase(**dict(zip(CASE_FIELDS, row, strict=True))) for row in values]


def stored_count(model, field: str, keys) -> int:
    """How many of the (solution id, `field` value) pairs are stored already."""
    by_solution: dict[int, list[str]] = {}
    for solution_id, value in keys:
        by_solution.setdefault(solution_id, []).append(value)
    found = 0
    for solution_id, values in by_solution.items():
        for start in range(0, len(values), BATCH_SIZE):
            chunk = values[start : start + BATCH_SIZE]
            found += model.objects.filter(
                solution_id=solution_id, **{f"{field}__in": chunk}
            ).count()
    return found


def _rising_escalations(cases: dict[tuple[int, str], tuple]) -> list[tuple[int, int, str]]:
    """(solution id, level, case id) of the open cases of the batch whose escalation level is
    higher than the one stored (or that are new and escalated): the vendor's people of those
    levels must act (R4.6). A resolved case needs nobody any more."""
    escalated = {
        key: case[_ESCALATION]
        for key, case in cases.items()
        if case[_ESCALATION] and case[_RESOLVED] is None
    }
    if not escalated:
        return []
    # One query; pairing every solution with every case id may read a few rows too many.
    stored = {
        (solution_id, case_id): level
        for solution_id, case_id, level in SupportCase.objects.filter(
            solution_id__in={solution_id for solution_id, _case_id in escalated},
            case_id__in={case_id for _solution_id, case_id in escalated},
        ).values_list("solution_id", "case_id", "escalation_level")
    }
    return [
        (solution_id, level, case_id)
        for (solution_id, case_id), level in escalated.items()
        if level > stored.get((solution_id, case_id), 0)
    ]


def _case_key(row):
    solution = str(row.get("solution") or "").strip()
    case_id = str(row.get("case_id") or "").strip()
    return (solution, case_id) if solution and case_id else None


def _import_cases(rows, errors, scope) -> ImportResult:
    solutions = SolutionsBySlug(rows, scope)
    contracts = Contracts(rows, solutions)
    cache = DeadlineCache()
    cache.load_solutions(solution.pk for solution in solutions.by_slug.values())
    now = timezone.now()
    cases: dict[tuple[int, str], tuple] = {}
    for line, row in rows:
        try:
            case = _parse_case(line, row, solutions, contracts, cache, now)
        except BadValue as bad:
            errors.extend(every_error(line, row, bad, _check_case, solutions, contracts, cache))
            continue
        cases[case[:2]] = case
    first_lines(rows, errors, _case_key, "case_id", lambda key: _("case “%(id)s”") % {"id": key[1]})
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        # Another import of these solutions' cases finishes first (kpi.bulk.lock_solutions).
        bulk.lock_solutions(SupportCase, {solution_id for solution_id, _case_id in cases})
        escalations = _rising_escalations(cases)
        # New cases of a month whose figures are final already are marked late (kpi.finality).
        late = finality.late_arrivals((*key, case[_REGISTERED]) for key, case in cases.items())
        values = list(cases.values())
        existing = bulk.insert_or_upsert(
            SupportCase, CASE_FIELDS, ("solution_id", "case_id"), CASE_UPDATE_FIELDS, values
        )
        if existing is None:
            existing = stored_count(SupportCase, "case_id", cases)
            SupportCase.objects.bulk_create(
                build_cases(values),
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["solution", "case_id"],
                update_fields=CASE_UPDATE_FIELDS,
            )
        finality.mark_late(late, now)
        escalations_notify(escalations)
    return ImportResult(created=len(cases) - existing, updated=existing)


def import_cases(records, scope: Scope | None = None) -> ImportResult:
    """Import support cases from a list of dicts (the CSV's field names); ImportRejected."""
    rows = numbered(records)
    errors = unknown_fields(rows, CASE_COLUMNS, CASE_REQUIRED, _refused_deadlines())
    return _import_cases(rows, errors, scope)


def _refused_deadlines() -> dict[str, str]:
    return dict.fromkeys(DEADLINE_COLUMNS, deadlines_refused())


def import_cases_csv(source, scope: Scope | None = None) -> ImportResult:
    """Import support cases from a CSV file (path, text or file object); ImportRejected."""
    rows, errors = read_csv(source, CASE_COLUMNS, refused=_refused_deadlines())
    return _import_cases(rows, errors, scope)


# NPS -------------------------------------------------------------------------------------


def _score(row) -> int:
    score = _integer(row, "score", *NPS_SCORES)
    if score is None:
        raise BadValue("score", _("a value is required"))
    return score


def _check_answer(check: Checks, row, solutions, customers: Contracts) -> None:
    """Every check of an NPS answer row, each on its own (the row was found bad)."""
    solution = check(solutions.get, row)
    respondent = check(text_value, row, "respondent", required=True, max_length=200)
    answered_at = check(_time, row, "answered_at", required=True)
    check(_score, row)
    if None not in (solution, respondent, answered_at):
        check(_respondent, customers, solution, respondent, answered_at)


def _parse_answer(row, solutions, customers: Contracts) -> NPSAnswer:
    solution = solutions.get(row)
    respondent = text_value(row, "respondent", required=True, max_length=200)
    answered_at = _time(row, "answered_at", required=True)
    score = _score(row)
    _respondent(customers, solution, respondent, answered_at)
    return NPSAnswer(
        solution_id=solution.pk,
        respondent=respondent,
        half_year=half_year_of(answered_at),
        answered_at=answered_at,
        score=score,
    )


def _respondent(customers: Contracts, solution, respondent: str, answered_at: datetime) -> None:
    """Refuse an answer of anyone but a customer active on the day of the answer (R5.1)."""
    customer = customers.get(solution.pk, respondent)
    if customer is None:
        raise BadValue(
            "respondent",
            _(
                "“%(respondent)s” is not a customer of this solution: the survey is of its "
                "active customers (send the list of customers first)"
            )
            % {"respondent": respondent},
        )
    day = answered_at.astimezone(reporting_zone()).date()
    if customer.active_until is None or customer.active_until < day:
        raise BadValue(
            "respondent",
            _(
                "customer “%(respondent)s” had no active subscription or paid support on "
                "%(day)s, the day of the answer"
            )
            % {"respondent": respondent, "day": day.isoformat()},
        )


def _import_nps(rows, errors, scope) -> ImportResult:
    solutions = SolutionsBySlug(rows, scope)
    customers = Contracts(rows, solutions, field="respondent")
    answers: dict[tuple[int, str, str], NPSAnswer] = {}
    for line, row in rows:
        try:
            answer = _parse_answer(row, solutions, customers)
        except BadValue as bad:
            errors.extend(every_error(line, row, bad, _check_answer, solutions, customers))
            continue
        key = (answer.solution_id, answer.respondent, answer.half_year)
        # One answer per respondent and half-year: the later one.
        if key not in answers or answers[key].answered_at <= answer.answered_at:
            answers[key] = answer
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        bulk.lock_solutions(NPSAnswer, {key[0] for key in answers})
        stored = {}
        for solution_id in {key[0] for key in answers}:
            respondents = [key[1] for key in answers if key[0] == solution_id]
            for start in range(0, len(respondents), BATCH_SIZE):
                for answer in NPSAnswer.objects.filter(
                    solution_id=solution_id, respondent__in=respondents[start : start + BATCH_SIZE]
                ).only("solution_id", "respondent", "half_year", "answered_at"):
                    stored[(answer.solution_id, answer.respondent, answer.half_year)] = answer
        # A stored answer later than the imported one stays.
        newer = [
            answer
            for key, answer in answers.items()
            if key not in stored or stored[key].answered_at <= answer.answered_at
        ]
        NPSAnswer.objects.bulk_create(
            newer,
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["solution", "respondent", "half_year"],
            update_fields=["answered_at", "score", "source", "comment"],
        )
    updated = sum(
        1 for answer in newer if (answer.solution_id, answer.respondent, answer.half_year) in stored
    )
    return ImportResult(created=len(newer) - updated, updated=updated)


def import_nps(records, scope: Scope | None = None) -> ImportResult:
    """Import NPS answers from a list of dicts (the CSV's field names); ImportRejected."""
    rows = numbered(records)
    return _import_nps(rows, unknown_fields(rows, NPS_COLUMNS, NPS_REQUIRED), scope)


def import_nps_csv(source, scope: Scope | None = None) -> ImportResult:
    """Import NPS answers from a CSV file (path, text or file object); ImportRejected."""
    rows, errors = read_csv(source, NPS_COLUMNS)
    return _import_nps(rows, errors, scope)
