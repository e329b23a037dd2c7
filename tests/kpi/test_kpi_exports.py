"""The downloads of a solution's KPI page, read back: the monthly figures of every KPI and the
NPS (the page's `?export=csv|xlsx`), the cases with their deadlines (CSV and XLSX) and the
badge history (CSV and XLSX); each with the page's visibility."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.models import KPI, Comparison, KPISnapshot
from tests.factories.accounts import UserFactory
from tests.factories.kpi import KPISnapshotFactory, SupportCaseFactory

from ..factories.workflow import CertificationEventFactory, CertificationFactory, actor

pytestmark = pytest.mark.django_db

REGISTERED = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def certification():
    certification = CertificationFactory(
        solution__slug="phone-link", application__version__number="2.4.0"
    )
    KPISnapshotFactory(solution=certification.solution, period="2026-10", failed=True)
    KPISnapshotFactory(
        solution=certification.solution,
        period="2026-10",
        kpi=KPI.CSAT_RESPONSE_RATE,
        numerator=10,
        denominator=200,
        comparison=Comparison.AT_LEAST,
        target_value="0.07",
        status=KPISnapshot.Status.FAIL,
        provisional=True,
    )
    SupportCaseFactory(
        solution=certification.solution, case_id="C1", customer="acme", registered_at=REGISTERED
    )
    SupportCaseFactory(
        solution=certification.solution,
        case_id="=HYPERLINK()",
        customer="r1",
        registered_at=REGISTERED,
    )
    CertificationEventFactory(
        certification=certification,
        action=CertificationEvent.Action.GRANTED,
        status=CertificationStatus.CERTIFIED,
        actor=None,
        reason="",
        at=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
    )
    CertificationEventFactory(
        certification=certification,
        action=CertificationEvent.Action.REVOKED,
        status=CertificationStatus.REVOKED,
        actor=UserFactory(role="Analyst", first_name="Ann", last_name="Lee"),
        reason="Late answers in October",
        at=datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
    )
    return certification


@pytest.fixture
def partner(certification):
    return actor("own_partner", certification.solution)


def content(response) -> bytes:
    if response.streaming:
        return b"".join(
            part if isinstance(part, bytes) else part.encode()
            for part in response.streaming_content
        )
    return response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def xlsx_sheets(response) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(content(response)))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def kpi_download(client, user, fmt, slug="phone-link"):
    client.force_login(user)
    return client.get(reverse("solution_kpis", args=[slug]), {"export": fmt})


KPI_HEADER = [
    "Month",
    "KPI",
    "Value",
    "Unit",
    "Numerator",
    "Denominator",
    "Target",
    "Status",
    "Figures",
]


def test_the_kpi_table_as_csv_holds_each_months_figures_per_kpi(client, partner):
    response = kpi_download(client, partner, "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="phone-link-kpis-2026-11-18.csv"'
    )
    rows = csv_rows(response)
    assert rows[:2] == [["KPIs by month"], KPI_HEADER]
    october = [row for row in rows if row[:1] == ["2026-10"]]
    assert october == [
        ["2026-10", "Cases overdue on response", "2.5", "%", "5", "200", "at most 1 %", "Fail",
         "provisional"],
        ["2026-10", "Cases overdue on resolution", "", "%", "", "", "", "No data", "provisional"],
        ["2026-10", "CSAT response rate", "5", "%", "10", "200", "at least 7 %", "Fail",
         "provisional"],
        ["2026-10", "CSAT positive share", "", "%", "", "", "", "No data", "provisional"],
        ["2026-10", "Escalated cases", "", "", "", "", "", "No data", "provisional"],
    ]  # fmt: skip
    # Twelve months of five KPIs, then the NPS of each half-year the months cover.
    assert rows[62:64] == [[], ["NPS by half-year"]]
    assert rows[64][:2] == ["Half-year", "NPS mean score"]
    assert [row[0] for row in rows[65:]] == ["2026-H2", "2026-H1", "2025-H2"]


def test_the_kpi_table_as_xlsx_has_a_sheet_per_table_with_typed_figures(client, partner):
    response = kpi_download(client, partner, "xlsx")

    sheets = xlsx_sheets(response)
    assert list(sheets) == ["KPIs by month", "NPS by half-year"]
    months = sheets["KPIs by month"]
    assert months[0] == KPI_HEADER
    assert len(months) == 1 + 12 * 5
    assert next(row for row in months if row[0] == "2026-10") == [
        "2026-10",
        "Cases overdue on response",
        2.5,
        "%",
        5,
        200,
        "at most 1 %",
        "Fail",
        "provisional",
    ]


def test_the_cases_as_xlsx_hold_every_case_with_its_deadlines(client, partner):
    client.force_login(partner)

    response = client.get(reverse("kpi_cases_export_xlsx", args=["phone-link"]))

    assert response["Content-Disposition"] == (
        'attachment; filename="phone-link-cases-2026-11-18.xlsx"'
    )
    (rows,) = xlsx_sheets(response).values()
    assert rows[0][:3] == ["case_id", "customer", "presale"]
    assert sorted((row[0], row[1], row[6]) for row in rows[1:]) == [
        ("=HYPERLINK()", "r1", datetime(2026, 10, 5, 10, 0)),
        ("C1", "acme", datetime(2026, 10, 5, 10, 0)),
    ]


def test_the_cases_csv_keeps_its_address_and_columns(client, partner):
    client.force_login(partner)

    response = client.get(reverse("kpi_cases_export", args=["phone-link"]))

    rows = csv_rows(response)
    assert rows[0][:3] == ["case_id", "customer", "presale"]
    assert sorted(row[0] for row in rows[1:]) == ["=HYPERLINK()", "C1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_badge_history_is_downloaded_newest_first(client, partner, fmt):
    client.force_login(partner)

    response = client.get(reverse(f"kpi_badge_history_{fmt}", args=["phone-link"]))

    header = ["When", "What happened", "Status after", "Version", "By", "Reason"]
    if fmt == "csv":
        assert csv_rows(response) == [
            header,
            ["2026-11-05T10:00:00+00:00", "Revoked", "Revoked", "2.4.0", "Ann Lee",
             "Late answers in October"],
            ["2024-03-01T09:00:00+00:00", "Granted", "Certified", "2.4.0", "scheduled job", ""],
        ]  # fmt: skip
    else:
        assert xlsx_sheets(response) == {
            "Badge history": [
                header,
                [datetime(2026, 11, 5, 10, 0), "Revoked", "Revoked", "2.4.0", "Ann Lee",
                 "Late answers in October"],
                [datetime(2024, 3, 1, 9, 0), "Granted", "Certified", "2.4.0", "scheduled job",
                 None],
            ]
        }  # fmt: skip


DOWNLOADS = [
    ("solution_kpis", {"export": "csv"}),
    ("solution_kpis", {"export": "xlsx"}),
    ("kpi_cases_export", {}),
    ("kpi_cases_export_xlsx", {}),
    ("kpi_badge_history_csv", {}),
    ("kpi_badge_history_xlsx", {}),
]


@pytest.mark.parametrize(("name", "params"), DOWNLOADS)
def test_another_partners_download_is_not_found(client, certification, name, params):
    client.force_login(actor("other_partner", certification.solution))

    response = client.get(reverse(name, args=["phone-link"]), params)

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "params"), DOWNLOADS)
def test_an_anonymous_download_leads_to_the_log_in(client, certification, name, params):
    url = reverse(name, args=["phone-link"])

    response = client.get(url, params)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_the_team_downloads_any_solutions_figures(client, certification):
    response = kpi_download(client, UserFactory(role="Analyst"), "csv")

    assert next(row for row in csv_rows(response) if row[:1] == ["2026-10"])[:3] == [
        "2026-10",
        "Cases overdue on response",
        "2.5",
    ]


def test_a_partners_export_holds_only_its_own_solutions_records(client, certification):
    """Another solution's figures, cases and events never appear in this one's downloads."""
    other = CertificationFactory(solution__slug="other")
    KPISnapshotFactory(solution=other.solution, period="2026-10", numerator=7)
    SupportCaseFactory(solution=other.solution, case_id="OTHER-1", registered_at=REGISTERED)
    CertificationEventFactory(certification=other, reason="Other's event")
    client.force_login(actor("own_partner", certification.solution))

    kpis = csv_rows(client.get(reverse("solution_kpis", args=["phone-link"]), {"export": "csv"}))
    cases = csv_rows(client.get(reverse("kpi_cases_export", args=["phone-link"])))
    history = csv_rows(client.get(reverse("kpi_badge_history_csv", args=["phone-link"])))

    assert [row[4] for row in kpis if row[:2] == ["2026-10", "Cases overdue on response"]] == ["5"]
    assert "OTHER-1" not in [row[0] for row in cases]
    assert "Other's event" not in [row[5] for row in history[1:]]


def test_an_unknown_export_format_is_not_found(client, partner):
    response = kpi_download(client, partner, "pdf")

    assert response.status_code == 404
