"""Tables downloaded as CSV or XLSX: the queue, the programme overview, a solution's KPIs and
cases, the badge history.

A page offers its tables with `?export=csv` or `?export=xlsx` added to its own address, so
the download holds what the page shows with the same filters; the view builds `Sheet`s from
the same selectors (the same visibility) and answers `export_response(...)`.

    sheets = [Sheet(_("Queue"), [_("Request"), _("Stage")], rows)]
    if fmt := requested_export(request):
        return export_response(fmt, "queue", sheets)
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

EXPORT_FORMATS = {"csv": _("CSV"), "xlsx": _("XLSX")}
# A spreadsheet runs a text cell starting with one of these as a formula: exports quote it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's own limit on a sheet's name.
_SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class Sheet:
    """One table: its title (the XLSX sheet's name), its column headings and its rows, each a
    sequence of plain values (text, numbers, dates, None) in the headings' order."""

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence]


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as it is: one that would start a formula is quoted."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def requested_export(request) -> str | None:
    """The format the page is asked to download (`?export=`), None for the page itself.

    An unknown format answers 404: no page offers such a link."""
    fmt = request.GET.get("export")
    if fmt is None:
        return None
    if fmt not in EXPORT_FORMATS:
        raise Http404(f"No export as {fmt!r}.")
    return fmt


def export_response(fmt: str, name: str, sheets: Sequence[Sheet]):
    """The sheets as a download named after `name` and today's date."""
    stem = f"{slugify(name) or 'export'}-{timezone.localdate().isoformat()}"
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(sheets),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(csv_lines(sheets), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float | Decimal):
        return str(value)
    return spreadsheet_safe(str(value))


class _Echo:
    """A file-like object whose write returns the line, for a streamed csv.writer."""

    def write(self, value):
        return value


def csv_lines(sheets: Sequence[Sheet]):
    """UTF-8 CSV with a byte-order mark (so spreadsheets read it as such), streamed line by
    line. Several sheets follow one another, each under its title, a blank line between."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                yield "\r\n"
            yield writer.writerow([_text(sheet.title)])
        yield writer.writerow([_text(column) for column in sheet.columns])
        for row in sheet.rows:
            yield writer.writerow([_text(value) for value in row])


def _cell(worksheet, value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif value is not None and not isinstance(
        value, int | float | Decimal | datetime.date | datetime.time | bool
    ):
        value = str(value)
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _sheet_title(title: str, taken: set[str]) -> str:
    base = "".join("_" if char in "[]:*?/\\" else char for char in str(title))[:_SHEET_NAME_MAX]
    name, number = base or "Sheet", 1
    while name in taken:
        number += 1
        name = f"{base[: _SHEET_NAME_MAX - len(str(number)) - 1]} {number}"
    taken.add(name)
    return name


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with a sheet per table, headings in bold, written row by row."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(sheet.title, taken))
        headings = []
        for column in sheet.columns:
            cell = _cell(worksheet, str(column))
            cell.font = Font(bold=True)
            headings.append(cell)
        worksheet.append(headings)
        for row in sheet.rows:
            worksheet.append([_cell(worksheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
