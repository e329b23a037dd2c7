"""Imports of support cases and NPS answers: from a CSV file or from a list of dicts.

Every row is validated in Python; if any row is bad, nothing of the batch is stored and every
bad row is reported as a `RowError` (line, column, reason). Good batches are written with bulk
operations: a case is identified by (solution, case id) and an NPS answer by (solution,
respondent, half-year), so importing again updates rather than duplicates.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.enums import Marketplace
from applications.models import Solution
from support_audit.calendar import Region
from support_audit.enums import MARKETPLACE_REGIONS, SupportPackage
from support_audit.services import escalations_notify

from . import bulk, finality
from .deadlines import DeadlineCache
from .models import CasePriority, NPSAnswer, SupportCase
from .periods import half_year_of

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
    "response_due_at",
    "resolution_due_at",
    "escalation_level",
    "csat",
    "presale",
)
CASE_REQUIRED = ("solution", "case_id", "support_package", "registered_at")
NPS_COLUMNS = ("solution", "respondent", "answered_at", "score")
NPS_REQUIRED = NPS_COLUMNS
# The stored fields in CSV order (the slug becomes the solution's id), then the import time.
CASE_FIELDS = ("solution_id", *CASE_COLUMNS[1:], "imported_at")
# A re-imported case keeps its identity, (solution, case_id), and takes every other value.
CASE_UPDATE_FIELDS = [field for field in CASE_FIELDS if field not in ("solution_id", "case_id")]
_ESCALATION = CASE_FIELDS.index("escalation_level")
_RESOLVED = CASE_FIELDS.index("resolved_at")
_REGISTERED = CASE_FIELDS.index("registered_at")
BATCH_SIZE = 2000
_PACKAGES = frozenset(SupportPackage.values)
_PRIORITIES = frozenset(CasePriority.values)
_REGIONS = frozenset(Region.values)
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self):
        return _("line %(line)s, column %(column)s: %(reason)s") % {
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
        }


class ImportRejected(Exception):
    """The batch had bad rows; nothing was stored."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


class BadValue(Exception):
    """A value of a row that cannot be stored: reported as a RowError of its line."""

    def __init__(self, column, reason):
        self.column, self.reason = column, reason


# Reading ---------------------------------------------------------------------------------


def read_csv(source, columns) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Rows of a CSV file (path, text or file object) with their line numbers, and the header's
    errors (line 1): every expected column must be there, and no other."""
    if isinstance(source, str | Path) and not (isinstance(source, str) and "\n" in source):
        with open(source, newline="", encoding="utf-8-sig") as handle:
            return _read(handle, columns)
    if isinstance(source, str):
        source = io.StringIO(source)
    return _read(source, columns)


def _read(handle, columns):
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, "-", _("the file is empty"))]
    header = [name.strip() for name in header]
    errors = [RowError(1, name, _("missing column")) for name in columns if name not in header] + [
        RowError(1, name, _("unknown column")) for name in header if name not in columns
    ]
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        line = reader.line_num
        if len(values) != len(header):
            errors.append(
                RowError(
                    line,
                    "-",
                    _("expected %(expected)s values, found %(found)s")
                    % {"expected": len(header), "found": len(values)},
                )
            )
            continue
        rows.append((line, dict(zip(header, values, strict=True))))
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
        raise BadValue(column, _("“%(value)s” is not a whole number") % {"value": value}) from None
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
    raise BadValue(column, _("“%(value)s” is neither true nor false") % {"value": value})


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
        slug = text_value(row, "solution", required=True)
        solution = self.by_slug.get(slug)
        if solution is None:
            if self.scope is not None:
                raise BadValue("solution", self.scope.refusal(slug))
            raise BadValue("solution", _("unknown solution “%(slug)s”") % {"slug": slug})
        return solution


def unknown_fields(rows, columns, required) -> list[RowError]:
    """Dict rows (the API) must not carry unknown fields; required ones are checked per row."""
    errors = []
    for line, row in rows:
        for name in row:
            if name not in columns:
                errors.append(RowError(line, name, _("unknown column")))
    return errors


# Cases -----------------------------------------------------------------------------------


def _parse_case(line, row, solutions, cache, now) -> tuple:
    """The validated values of a case row, in the order of CASE_FIELDS."""
    solution = solutions.get(row)
    case_id = text_value(row, "case_id", required=True, max_length=100)
    customer = text_value(row, "customer", max_length=200)
    package = text_value(row, "support_package", required=True).lower()
    if package not in _PACKAGES:
        raise BadValue(
            "support_package", _("unknown support package “%(value)s”") % {"value": package}
        )
    priority = text_value(row, "priority").lower() or CasePriority.MEDIUM.value
    if priority not in _PRIORITIES:
        raise BadValue("priority", _("unknown priority “%(value)s”") % {"value": priority})
    region = text_value(row, "region").lower()
    if not region:
        region = (
            cache.default_region(solution.pk)
            or MARKETPLACE_REGIONS.get(
                solution.marketplace, MARKETPLACE_REGIONS[Marketplace.CREATIO]
            )[0].value
        )
    elif region not in _REGIONS:
        raise BadValue("region", _("unknown region “%(value)s”") % {"value": region})
    registered_at = _time(row, "registered_at", required=True)
    first_response_at = _time(row, "first_response_at")
    if first_response_at is not None and first_response_at < registered_at:
        raise BadValue("first_response_at", _("response before registration"))
    resolved_at = _time(row, "resolved_at")
    if resolved_at is not None and resolved_at < registered_at:
        raise BadValue("resolved_at", _("resolved before registration"))
    response_due_at = _time(row, "response_due_at")
    if response_due_at is not None and response_due_at < registered_at:
        raise BadValue("response_due_at", _("due before registration"))
    resolution_due_at = _time(row, "resolution_due_at")
    if resolution_due_at is not None and resolution_due_at < registered_at:
        raise BadValue("resolution_due_at", _("due before registration"))
    escalation_level = _integer(row, "escalation_level", 0, 4, default=0)
    csat = _integer(row, "csat", 1, 5)
    presale = _boolean(row, "presale")
    if response_due_at is None or resolution_due_at is None:
        try:
            response, resolution = cache.deadlines(
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
                _("no SLA policy for the package “%(value)s”") % {"value": package},
            ) from None
        response_due_at = response_due_at or response
        resolution_due_at = resolution_due_at or resolution
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


def _import_cases(rows, errors, scope) -> ImportResult:
    solutions = SolutionsBySlug(rows, scope)
    cache = DeadlineCache()
    cache.load_solutions(solution.pk for solution in solutions.by_slug.values())
    now = timezone.now()
    cases: dict[tuple[int, str], tuple] = {}
    for line, row in rows:
        try:
            case = _parse_case(line, row, solutions, cache, now)
        except BadValue as bad:
            errors.append(RowError(line, bad.column, bad.reason))
            continue
        # The same case twice in a batch: the later row wins.
        cases[case[:2]] = case
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))
    with transaction.atomic():
        escalations = _rising_escalations(cases)
        # New cases of a month whose figures are final already are marked late (kpi.finality).
        late = finality.late_arrivals((*key, case[_REGISTERED]) for key, case in cases.items())
        values = list(cases.values())
        existing = bulk.upsert(
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
    return _import_cases(rows, unknown_fields(rows, CASE_COLUMNS, CASE_REQUIRED), scope)


def import_cases_csv(source, scope: Scope | None = None) -> ImportResult:
    """Import support cases from a CSV file (path, text or file object); ImportRejected."""
    rows, errors = read_csv(source, CASE_COLUMNS)
    return _import_cases(rows, errors, scope)


# NPS -------------------------------------------------------------------------------------


def _parse_answer(row, solutions) -> NPSAnswer:
    solution = solutions.get(row)
    respondent = text_value(row, "respondent", required=True, max_length=200)
    answered_at = _time(row, "answered_at", required=True)
    score = _integer(row, "score", 0, 10)
    if score is None:
        raise BadValue("score", _("a value is required"))
    return NPSAnswer(
        solution_id=solution.pk,
        respondent=respondent,
        half_year=half_year_of(answered_at),
        answered_at=answered_at,
        score=score,
    )


def _import_nps(rows, errors, scope) -> ImportResult:
    solutions = SolutionsBySlug(rows, scope)
    answers: dict[tuple[int, str, str], NPSAnswer] = {}
    for line, row in rows:
        try:
            answer = _parse_answer(row, solutions)
        except BadValue as bad:
            errors.append(RowError(line, bad.column, bad.reason))
            continue
        key = (answer.solution_id, answer.respondent, answer.half_year)
        # One answer per respondent and half-year: the later one.
        if key not in answers or answers[key].answered_at <= answer.answered_at:
            answers[key] = answer
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))
    with transaction.atomic():
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
            update_fields=["answered_at", "score"],
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
