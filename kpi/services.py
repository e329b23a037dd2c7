"""Stage-5 writes: a partner's CSV file imported for one solution, and the "at risk" mark of a
certification (R5.8)."""

import csv
import io

from django.db import transaction
from django.utils.translation import gettext as _

from applications.enums import CertificationStatus
from applications.models import Certification, CertificationEvent

from .importing import ImportRejected, ImportResult, RowError


def certification_mark_at_risk(*, certification: Certification, reason: str):
    """A certified solution's KPI failed but a remediation plan in force covers it: the badge
    stays on, "at risk". Recorded once; None when it was at risk (or revoked) already."""
    with transaction.atomic():
        locked = Certification.objects.select_for_update().get(pk=certification.pk)
        if locked.status != CertificationStatus.CERTIFIED:
            certification.status = locked.status
            return None
        locked.status = CertificationStatus.AT_RISK
        locked.save(update_fields=["status"])
        event = CertificationEvent.objects.create(
            certification=locked,
            action=CertificationEvent.Action.AT_RISK,
            status=CertificationStatus.AT_RISK,
            version=locked.version,
            reason=reason,
            actor=None,
        )
    certification.status = CertificationStatus.AT_RISK
    return event


def rows_of_other_solutions(text: str, slug: str) -> list[RowError]:
    """Rows whose `solution` column names anything but `slug` (line numbers as in the file).

    A file without a `solution` column gives nothing here: the importer reports the header.
    """
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    if "solution" not in header:
        return []
    position = header.index("solution")
    errors = []
    for values in reader:
        if not any(value.strip() for value in values) or len(values) <= position:
            continue
        named = values[position].strip()
        if named and named != slug:
            errors.append(
                RowError(
                    reader.line_num,
                    "solution",
                    _("“%(named)s” is not this solution: only rows of “%(slug)s” are accepted here")
                    % {"named": named, "slug": slug},
                )
            )
    return errors


def solution_csv_import(*, importer, text: str, slug: str) -> ImportResult:
    """Import a CSV file with `importer`; every row must be of the solution `slug`, else
    ImportRejected.

    The importer runs even when some row names another solution, in a transaction undone
    afterwards, so that the partner reads every bad row of the file at once.
    """
    foreign = rows_of_other_solutions(text, slug)
    found: list[RowError] = []
    try:
        with transaction.atomic():
            result = importer(io.StringIO(text))
            if foreign:
                raise ImportRejected([])  # undoes what the importer wrote
    except ImportRejected as rejected:
        found = rejected.errors
    if not foreign and not found:
        return result
    named = {(error.line, error.column) for error in foreign}
    errors = foreign + [error for error in found if (error.line, error.column) not in named]
    raise ImportRejected(sorted(errors, key=lambda error: error.line))
