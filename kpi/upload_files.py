"""The CSV uploads of a KPI page (`UPLOADS`) and the files around them: the template of each
kind (the header, an example row that imports, the allowed values as comment lines), the allowed
values the page lists beside the form, and the error report of a refused file.

The allowed values are the validators' own (kpi.importing, kpi.customers): what a row is checked
against is what the page and the template say. The error report of a refused upload is kept for
an hour in the cache under the uploader's user id, the solution and the kind, so it is read
without sending the file again, and by nobody else.
"""

import csv
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.models import Solution
from certportal.exports import spreadsheet_safe

from .customers import (
    CUSTOMER_COLUMNS,
    CUSTOMER_OPTIONAL,
    current_version,
    import_customers_csv,
    marketplace_regions,
)
from .importing import (
    CASE_COLUMNS,
    CSAT_SCORES,
    ESCALATION_LEVELS,
    NPS_COLUMNS,
    NPS_SCORES,
    PACKAGES,
    PRIORITIES,
    REGIONS,
    RowError,
    import_cases_csv,
    import_nps_csv,
)
from .models import CasePriority, Customer
from .periods import reporting_zone


@dataclass(frozen=True)
class Upload:
    kind: str
    title: str
    help: str
    columns: tuple[str, ...]
    importer: Callable


UPLOADS = {
    upload.kind: upload
    for upload in (
        Upload(
            "cases",
            gettext_lazy("Support cases"),
            gettext_lazy(
                "A case already sent is updated, never duplicated. Each case names a customer "
                "from the list of customers: its contract (package and region) decides the "
                "deadlines, which the portal computes. A pre-sale question (presale true) needs "
                "no customer but names its region."
            ),
            CASE_COLUMNS,
            import_cases_csv,
        ),
        Upload(
            "nps",
            gettext_lazy("NPS answers"),
            gettext_lazy(
                "Answers of the solution's customers whose subscription or paid support is "
                "active on the day of the answer; one per customer and half-year, a later "
                "answer replaces it."
            ),
            NPS_COLUMNS,
            import_nps_csv,
        ),
        Upload(
            "customers",
            gettext_lazy("Customers"),
            gettext_lazy(
                "Each customer's installed version, its support package (basic, business, "
                "premium) and region, the date its subscription or paid support runs until "
                "(blank when none) and, optionally, a contact e-mail for the NPS survey."
            ),
            CUSTOMER_COLUMNS,
            import_customers_csv,
        ),
    )
}
COLUMNS = {kind: upload.columns for kind, upload in UPLOADS.items()}
# Errors listed on the page after a refused upload; the report has every one.
ERRORS_SHOWN = 200
REPORT_SECONDS = 60 * 60
EXAMPLE_CUSTOMER = "example-customer"


@dataclass(frozen=True)
class Allowed:
    """What a column takes: its values when they are a list, else a description."""

    column: str
    values: tuple[str, ...]
    note: str

    def __str__(self):
        if self.values:
            return f"{self.column}: {', '.join(self.values)}" + (
                f" ({self.note})" if self.note else ""
            )
        return f"{self.column}: {self.note}"


def _span(low_high: tuple[int, int]) -> tuple[str, ...]:
    low, high = low_high
    return tuple(str(number) for number in range(low, high + 1))


def _time_note() -> str:
    return _("ISO 8601 with an offset, e.g. 2026-10-05T10:00:00+03:00")


def allowed_values(kind: str, solution: Solution) -> list[Allowed]:
    """The columns of an upload of `kind` that take a fixed set or a format, with what they
    take, for the solution (whose marketplace decides the regions of its customers)."""
    regions = tuple(marketplace_regions(solution.marketplace))
    if kind == "cases":
        return [
            Allowed("solution", (solution.slug,), ""),
            Allowed(
                "customer",
                (),
                _("the customer_id of a customer of the solution; blank for a pre-sale question"),
            ),
            Allowed("support_package", PACKAGES, _("blank: the customer's contract")),
            Allowed(
                "priority",
                PRIORITIES,
                _("blank: %(default)s") % {"default": CasePriority.MEDIUM.value},
            ),
            Allowed("region", REGIONS, _("blank: the customer's contract")),
            Allowed("registered_at", (), _("required; %(format)s") % {"format": _time_note()}),
            Allowed("first_response_at", (), _("blank or %(format)s") % {"format": _time_note()}),
            Allowed("resolved_at", (), _("blank or %(format)s") % {"format": _time_note()}),
            Allowed("escalation_level", _span(ESCALATION_LEVELS), _("blank: 0")),
            Allowed("csat", _span(CSAT_SCORES), _("blank: not rated")),
            Allowed("presale", ("true", "false"), _("also yes/no, 1/0; blank: false")),
        ]
    if kind == "nps":
        return [
            Allowed("solution", (solution.slug,), ""),
            Allowed(
                "respondent",
                (),
                _("the customer_id of a customer active on the day of the answer"),
            ),
            Allowed("answered_at", (), _("required; %(format)s") % {"format": _time_note()}),
            Allowed("score", _span(NPS_SCORES), _("required")),
        ]
    return [
        Allowed("solution", (solution.slug,), ""),
        Allowed("installed_version", (), _("a version number such as 1.4.0")),
        Allowed("support_package", PACKAGES, _("required")),
        Allowed("region", regions, _("required, a region of the solution's marketplace")),
        Allowed(
            "active_until",
            (),
            _("YYYY-MM-DD, the last day of the subscription or paid support; blank when none"),
        ),
        Allowed("contact_email", (), _("optional; the column may be left out")),
    ]


def _example_customer(solution: Solution, today) -> Customer | None:
    """An active customer of the solution with a contract, for an example row that imports."""
    return (
        Customer.objects.filter(solution=solution, active_until__gte=today)
        .exclude(support_package="")
        .exclude(region="")
        .order_by("customer_id")
        .first()
    )


def example_row(kind: str, solution: Solution) -> dict[str, str]:
    """A row of `kind` for the solution that imports as it is (a case and an NPS answer name an
    active customer of the solution when it has one; without one a case is a pre-sale
    question)."""
    zone = reporting_zone()
    today = timezone.localdate(timezone=zone)
    morning = datetime.combine(today - timedelta(days=1), time(10), tzinfo=zone)
    regions = marketplace_regions(solution.marketplace)
    if kind == "customers":
        return {
            "solution": solution.slug,
            "customer_id": EXAMPLE_CUSTOMER,
            "installed_version": current_version(solution) or "1.0.0",
            "support_package": "business",
            "region": regions[0] if regions else REGIONS[0],
            "active_until": (today + timedelta(days=365)).isoformat(),
            "contact_email": "support@example.com",
        }
    customer = _example_customer(solution, today)
    if kind == "nps":
        return {
            "solution": solution.slug,
            "respondent": customer.customer_id if customer else EXAMPLE_CUSTOMER,
            "answered_at": morning.isoformat(),
            "score": "9",
        }
    return {
        "solution": solution.slug,
        "case_id": "EXAMPLE-1",
        "customer": customer.customer_id if customer else "",
        "support_package": "",
        "priority": CasePriority.MEDIUM.value,
        "region": "" if customer else (regions[0] if regions else REGIONS[0]),
        "registered_at": morning.isoformat(),
        "first_response_at": (morning + timedelta(minutes=30)).isoformat(),
        "resolved_at": (morning + timedelta(hours=4)).isoformat(),
        "escalation_level": "0",
        "csat": "5",
        "presale": "false" if customer else "true",
    }


def template_csv(kind: str, solution: Solution) -> str:
    """The template of an upload: the header, an example row, and the allowed values as comment
    lines (lines starting with #, which an upload skips), so that the file imports as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = COLUMNS[kind]
    writer.writerow(columns)
    example = example_row(kind, solution)
    writer.writerow([example.get(column, "") for column in columns])
    comments = [
        _("Replace the example row with your data. Lines starting with # are skipped."),
        _("Allowed values:"),
        *(str(allowed) for allowed in allowed_values(kind, solution)),
    ]
    if kind == "nps" and example["respondent"] == EXAMPLE_CUSTOMER:
        comments.append(
            _("Send the list of customers first: an answer comes from an active customer.")
        )
    if kind == "customers":
        comments.append(
            _("Optional columns: %(columns)s") % {"columns": ", ".join(CUSTOMER_OPTIONAL)}
        )
    writer.writerows([f"# {comment}"] for comment in comments)
    return buffer.getvalue()


# The error report ----------------------------------------------------------------------------


def report_csv(errors: list[RowError]) -> bytes:
    """Every error of a refused file as CSV (row, column, value, message), in the language of
    the request, UTF-8 with a byte-order mark so that spreadsheets read it as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Message")])
    for error in errors:
        column = "" if error.column == "-" else error.column
        cells = (error.line, column, error.value, error.reason)
        writer.writerow([spreadsheet_safe(str(cell)) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def _report_key(user_id: int, solution_id: int, kind: str) -> str:
    return f"kpi:upload-errors:{user_id}:{solution_id}:{kind}"


def keep_report(*, user_id: int, solution_id: int, kind: str, errors: list[RowError]) -> None:
    """Keep the error report of a refused upload for its uploader, for an hour."""
    cache.set(
        _report_key(user_id, solution_id, kind),
        zlib.compress(report_csv(errors)),
        REPORT_SECONDS,
    )


def forget_report(*, user_id: int, solution_id: int, kind: str) -> None:
    """An upload that succeeds leaves no report of an earlier refusal behind."""
    cache.delete(_report_key(user_id, solution_id, kind))


def kept_report(*, user_id: int, solution_id: int, kind: str) -> bytes | None:
    """The uploader's latest error report of the solution and kind; None when there is none
    (or it expired)."""
    kept = cache.get(_report_key(user_id, solution_id, kind))
    return None if kept is None else zlib.decompress(kept)
