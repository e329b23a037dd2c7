"""Downloads of a page's tables as CSV and XLSX (certportal/exports.py)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import Http404
from django.test import RequestFactory
from openpyxl import load_workbook

from certportal.exports import Sheet, export_response, requested_export

ROWS = [
    ['=HYPERLINK("http://evil")', 3, Decimal("97.5"), datetime.date(2026, 2, 28)],
    ["Plain text", None, -4, datetime.date(2026, 3, 1)],
]


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response)
    return response.content


def test_the_csv_is_read_back_with_its_rows_and_a_formula_kept_as_text():
    response = export_response(
        "csv", "Queue", [Sheet("Queue", ["Name", "N", "Share", "Day"], ROWS)]
    )

    text = _content(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "N", "Share", "Day"]
    assert rows[1] == ['\'=HYPERLINK("http://evil")', "3", "97.5", "2026-02-28"]
    assert rows[2] == ["Plain text", "", "-4", "2026-03-01"]
    assert response["Content-Disposition"] == 'attachment; filename="queue-2026-11-18.csv"'


def test_the_xlsx_is_read_back_with_typed_cells_and_no_formula():
    sheets = [Sheet("Queue", ["Name", "N", "Share", "Day"], ROWS), Sheet("Queue", ["X"], [[1]])]
    response = export_response("xlsx", "queue", sheets)

    workbook = load_workbook(io.BytesIO(_content(response)))
    assert workbook.sheetnames == ["Queue", "Queue 2"]
    rows = list(workbook["Queue"].iter_rows(values_only=True))
    assert rows[0] == ("Name", "N", "Share", "Day")
    assert rows[1][0] == '=HYPERLINK("http://evil")'
    assert workbook["Queue"]["A2"].data_type == "s"
    assert rows[1][1:3] == (3, 97.5)
    assert rows[1][3] == datetime.datetime(2026, 2, 28)
    assert rows[2][1] is None


def test_a_page_asked_for_an_unknown_format_answers_404():
    factory = RequestFactory()
    assert requested_export(factory.get("/queue/")) is None
    assert requested_export(factory.get("/queue/?export=xlsx")) == "xlsx"
    with pytest.raises(Http404):
        requested_export(factory.get("/queue/?export=pdf"))
