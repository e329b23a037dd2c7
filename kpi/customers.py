"""Customers of certified solutions: their import (CSV or a list of dicts) and the figures read
from them — the versions in use by active customers (R6.3), the share on the current version
with the list of those behind (R6.4), and how many active customers answered the NPS survey
(R5.1).

A customer is active while its subscription or paid support runs: `active_until` is today or
later (in the reporting time zone). A blank `active_until` means no active subscription. Its
contract, the support package and the region (one of the solution's marketplace), decides the
SLA of its cases. Imports are all or nothing, with the error reports of kpi.importing; a
customer is identified by (solution, customer id), so importing it again updates it, and the
same customer twice in one batch is refused.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Certification, Solution, SolutionVersion
from support_audit.enums import MARKETPLACE_REGIONS

from . import bulk
from .importing import (
    BATCH_SIZE,
    PACKAGES,
    BadValue,
    Checks,
    ImportRejected,
    ImportResult,
    Scope,
    SolutionsBySlug,
    every_error,
    first_lines,
    numbered,
    read_csv,
    stored_count,
    text_value,
    unknown_fields,
)
from .models import Customer, NPSAnswer
from .periods import HALF_YEAR, parse_period, reporting_zone

CUSTOMER_COLUMNS = (
    "solution",
    "customer_id",
    "installed_version",
    "support_package",
    "region",
    "active_until",
    "contact_email",
)
CUSTOMER_REQUIRED = ("solution", "customer_id", "installed_version", "support_package", "region")
# A file may leave these columns out.
CUSTOMER_OPTIONAL = ("contact_email",)
CUSTOMER_UPDATE_FIELDS = [
    "installed_version",
    "support_package",
    "region",
    "active_until",
    "contact_email",
]
_CUSTOMER_ID_LENGTH = Customer._meta.get_field("customer_id").max_length
_VERSION_LENGTH = Customer._meta.get_field("installed_version").max_length
_EMAIL_LENGTH = Customer._meta.get_field("contact_email").max_length
# A version as partners write them: "7.18.2", "1.4.0-beta.2", "v2.1", "2024.3+build.15".
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_\-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VERSION_PART_RE = re.compile(r"\d+|[A-Za-z]+")


# Import ----------------------------------------------------------------------------------


def _version(row) -> str:
    value = text_value(row, "installed_version", required=True, max_length=_VERSION_LENGTH)
    if not _VERSION_RE.match(value) or not any(char.isdigit() for char in value):
        raise BadValue(
            "installed_version",
            _("“%(value)s” is not a version number such as 1.4.0") % {"value": value},
        )
    return value


def _date(row, column) -> date | None:
    value = row.get(column)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    value = text_value(row, column)
    if not value:
        return None
    try:
        if not _DATE_RE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue(
            column, _("bad date “%(value)s”: expected YYYY-MM-DD") % {"value": value}
        ) from None


def _package(row) -> str:
    value = text_value(row, "support_package", required=True).lower()
    if value not in PACKAGES:
        raise BadValue(
            "support_package",
            _("unknown support package “%(value)s”: one of %(allowed)s")
            % {"value": value, "allowed": ", ".join(PACKAGES)},
        )
    return value


def marketplace_regions(marketplace: str) -> list[str]:
    """The regions a customer of a solution of `marketplace` may be in."""
    return [region.value for region in MARKETPLACE_REGIONS.get(marketplace, ())]


def _region(row, solution) -> str:
    value = text_value(row, "region", required=True).lower()
    allowed = marketplace_regions(solution.marketplace)
    if value not in allowed:
        raise BadValue(
            "region",
            _("“%(value)s” is not a region of this solution's marketplace: one of %(allowed)s")
            % {"value": value, "allowed": ", ".join(allowed)},
        )
    return value


def _email(row) -> str:
    value = text_value(row, "contact_email", max_length=_EMAIL_LENGTH)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise BadValue(
                "contact_email", _("“%(value)s” is not an e-mail address") % {"value": value}
            ) from None
    return value


def _customer_id(row) -> str:
    return text_value(row, "customer_id", required=True, max_length=_CUSTOMER_ID_LENGTH)


def _check_customer(check: Checks, row, solutions) -> None:
    """Every check of a customer row, each on its own (the row was found bad)."""
    solution = check(solutions.get, row)
    check(_customer_id, row)
    check(_version, row)
    check(_package, row)
    if solution is not None:
        check(_region, row, solution)
    check(_date, row, "active_until")
    check(_email, row)


def _parse_customer(row, solutions) -> Customer:
    solution = solutions.get(row)
    return Customer(
        solution_id=solution.pk,
        customer_id=_customer_id(row),
        installed_version=_version(row),
        support_package=_package(row),
        region=_region(row, solution),
        active_until=_date(row, "active_until"),
        contact_email=_email(row),
    )


def _customer_key(row):
    solution = str(row.get("solution") or "").strip()
    customer_id = str(row.get("customer_id") or "").strip()
    return (solution, customer_id) if solution and customer_id else None


def _import_customers(rows, errors, scope) -> ImportResult:
    solutions = SolutionsBySlug(rows, scope)
    customers: dict[tuple[int, str], Customer] = {}
    for line, row in rows:
        try:
            customer = _parse_customer(row, solutions)
        except BadValue as bad:
            errors.extend(every_error(line, row, bad, _check_customer, solutions))
            continue
        customers[(customer.solution_id, customer.customer_id)] = customer
    first_lines(
        rows,
        errors,
        _customer_key,
        "customer_id",
        lambda key: _("customer “%(id)s”") % {"id": key[1]},
    )
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        bulk.lock_solutions(Customer, {solution_id for solution_id, _id in customers})
        existing = stored_count(Customer, "customer_id", customers)
        Customer.objects.bulk_create(
            list(customers.values()),
            batch_size=BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["solution", "customer_id"],
            update_fields=CUSTOMER_UPDATE_FIELDS,
        )
    return ImportResult(created=len(customers) - existing, updated=existing)


def import_customers(records, scope: Scope | None = None) -> ImportResult:
    """Import customers from a list of dicts (the CSV's field names); ImportRejected."""
    rows = numbered(records)
    return _import_customers(rows, unknown_fields(rows, CUSTOMER_COLUMNS, CUSTOMER_REQUIRED), scope)


def import_customers_csv(source, scope: Scope | None = None) -> ImportResult:
    """Import customers from a CSV file (path, text or file object); ImportRejected."""
    rows, errors = read_csv(source, CUSTOMER_COLUMNS, optional=CUSTOMER_OPTIONAL)
    return _import_customers(rows, errors, scope)


# Figures ---------------------------------------------------------------------------------


def version_key(number: str) -> tuple:
    """Sort key of a version string by its numeric parts: "1.10.0" comes after "1.9.2".

    Letters after the numbers mark a pre-release: "1.10.0-beta" comes before "1.10.0", which
    comes before "1.10.0.1". The string itself breaks remaining ties ("v1.2" and "1.2").
    """
    parts = tuple(
        (2, int(part), "") if part.isdigit() else (0, 0, part.lower())
        for part in _VERSION_PART_RE.findall(number)
    )
    return ((*parts, (1, 0, "")), number)


def _today(today: date | None) -> date:
    return today or timezone.localdate(timezone=reporting_zone())


def _active(solution: Solution, today: date) -> QuerySet:
    return Customer.objects.filter(solution=solution, active_until__gte=today)


def current_version(solution: Solution) -> str | None:
    """The version customers should be on: the certified one, else the newest released."""
    certified = (
        Certification.objects.filter(solution=solution)
        .values_list("version__number", flat=True)
        .first()
    )
    if certified is not None:
        return certified
    versions = SolutionVersion.objects.filter(solution=solution).values_list(
        "number", "released_on"
    )
    newest = max(
        versions,
        key=lambda version: (version[1] or date.min, version_key(version[0])),
        default=None,
    )
    return newest[0] if newest else None


@dataclass(frozen=True)
class CustomerOverview:
    """A solution's customers on a day: who is active, on which versions (R6.3, R6.4)."""

    today: date
    active: int
    inactive: int
    current_version: str | None
    # (version, active customers on it), newest version first: the versions to support (R6.3).
    versions_in_use: list[tuple[str, int]]
    on_current: int
    # on_current / active, exactly; None without an active customer (R6.4).
    share_on_current: Fraction | None
    # Active customers not on the current version, by customer id; empty without a current
    # version to compare with.
    behind: QuerySet


def customer_overview(solution: Solution, *, today: date | None = None) -> CustomerOverview:
    """The figures of R6.3 and R6.4 for a solution, counted in SQL (a fixed number of queries)."""
    today = _today(today)
    is_active = Q(active_until__gte=today)
    per_version = (
        Customer.objects.filter(solution=solution)
        .order_by()
        .values("installed_version")
        .annotate(active=Count("pk", filter=is_active), inactive=Count("pk", filter=~is_active))
    )
    in_use: dict[str, int] = {}
    inactive = 0
    for row in per_version:
        inactive += row["inactive"]
        if row["active"]:
            in_use[row["installed_version"]] = row["active"]
    active = sum(in_use.values())
    current = current_version(solution)
    on_current = in_use.get(current, 0) if current is not None else 0
    if current is None:
        behind = Customer.objects.none()
    else:
        behind = _active(solution, today).exclude(installed_version=current).order_by("customer_id")
    return CustomerOverview(
        today=today,
        active=active,
        inactive=inactive,
        current_version=current,
        versions_in_use=sorted(in_use.items(), key=lambda item: version_key(item[0]), reverse=True),
        on_current=on_current,
        share_on_current=Fraction(on_current, active) if active else None,
        behind=behind,
    )


FINDING_NAMES = 10  # customers named in a finding; the rest are counted


def versions_finding(overview: CustomerOverview) -> str | None:
    """The nonconformity an analyst raises from a solution's customers (R6.3, R6.4): the active
    customers not on the current version, by name, and the versions in use that must be
    supported; None when every active customer is on the current version."""
    if overview.current_version is None:
        return None
    behind = overview.active - overview.on_current
    if behind <= 0:
        return None
    named = [
        _("%(customer)s on %(version)s") % {"customer": c.customer_id, "version": version}
        for c, version in (
            (customer, customer.installed_version) for customer in overview.behind[:FINDING_NAMES]
        )
    ]
    if behind > len(named):
        named.append(_("%(count)s more") % {"count": behind - len(named)})
    in_use = ", ".join(f"{version} ({count})" for version, count in overview.versions_in_use)
    return _(
        "%(behind)s of %(active)s customers with an active subscription or paid support are not "
        "on the current version %(current)s (R6.4): %(named)s. Versions in use by customers with "
        "active support, each of which the partner supports (R6.3): %(in_use)s."
    ) % {
        "behind": behind,
        "active": overview.active,
        "current": overview.current_version,
        "named": "; ".join(named),
        "in_use": in_use,
    }


def surveyed_without_answer(period, solutions: QuerySet) -> dict[int, int]:
    """Solutions whose NPS survey of the half-year `period` (over) is missing (R5.1): solution
    id → how many customers were active on its last day, for the solutions certified before it
    ended with such customers and no answer for it. One query."""
    last_day = (period.end - timedelta(days=1)).date()
    answered = NPSAnswer.objects.filter(solution=OuterRef("solution"), half_year=period.name)
    rows = (
        Customer.objects.filter(
            solution__in=solutions.values("pk"),
            solution__certification__since__lt=period.end,
            active_until__gte=last_day,
        )
        .filter(~Exists(answered))
        .order_by()
        .values("solution_id")
        .annotate(active=Count("pk"))
    )
    return {row["solution_id"]: row["active"] for row in rows}


def nps_participation(
    solution: Solution, half_year: str, *, today: date | None = None
) -> tuple[int, int]:
    """(Active customers who answered the NPS survey of the half-year, active customers) (R5.1).

    An answer counts when its respondent is the id of an active customer of the solution;
    answers of earlier surveys and of respondents who are not customers do not.
    """
    period = parse_period(half_year)
    if period.kind != HALF_YEAR:
        raise ValueError(_("A half-year is written like 2026-H2."))
    answered = NPSAnswer.objects.filter(
        solution=solution, half_year=period.name, respondent=OuterRef("customer_id")
    )
    counts = _active(solution, _today(today)).aggregate(
        answered=Count("pk", filter=Q(Exists(answered))), active=Count("pk")
    )
    return counts["answered"], counts["active"]


VERSIONS_BEHIND_SHOWN = 50  # customers behind listed on the regular audit page


def regular_audit_facts(solution: Solution) -> dict:
    """What the regular audit page shows of the solution's customers (R6.3, R6.4): the
    overview, and the first customers not on the current version."""
    overview = customer_overview(solution)
    return {"customers": overview, "behind": list(overview.behind[:VERSIONS_BEHIND_SHOWN])}


def versions_behind_finding(solution: Solution) -> str | None:
    """R6.4 as a nonconformity of the solution: None when every active customer is on the
    current version."""
    return versions_finding(customer_overview(solution))
