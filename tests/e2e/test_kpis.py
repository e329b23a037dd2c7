"""Stage 5 in a real browser: the partner's CSV uploads, a failed month, the badge revoked by
the evaluation and restored by an analyst."""

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accounts.enums import Role
from catalogue.enums import CertificationStatus
from kpi.customers import CUSTOMER_COLUMNS
from kpi.evaluation import evaluate_period
from kpi.importing import CASE_COLUMNS, NPS_COLUMNS
from kpi.models import KPI, Customer, NPSAnswer, SupportCase
from kpi.periods import half_year_of, recent_months
from kpi.selectors import MONTHS_SHOWN
from tests.e2e.conftest import PASSWORD, assert_styled, shot, unavailable
from tests.factories.accounts import UserFactory

from ..factories.workflow import CertificationFactory

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SOLUTION = "Phone Link"
SLUG = "phone-link"
KPI_URL = f"/solutions/{SLUG}/kpi/"
BADGE_JSON = f"/badges/{SLUG}.json"
RUSSIAN_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def month():
    """The month before the current one: over, so its evaluation is enforced."""
    return recent_months(timezone.now(), MONTHS_SHOWN)[1]


@pytest.fixture
def solution(kpi_targets, month):
    """Phone Link of Acme Integrations, version 2.4.0 certified half a year before `month`."""
    return CertificationFactory(
        solution__name=SOLUTION,
        solution__slug=SLUG,
        solution__partner__name="Acme Integrations",
        application__version__number="2.4.0",
        since=month.start - timedelta(days=180),
    ).solution


@pytest.fixture
def partner(solution):
    return UserFactory(
        role=Role.PARTNER,
        partner=solution.partner,
        username="nina",
        first_name="Nina",
        last_name="Partner",
        password=PASSWORD,
    )


@pytest.fixture
def analyst():
    return UserFactory(
        analyst=True, username="anna", first_name="Anna", last_name="Analyst", password=PASSWORD
    )


def csv_file(name: str, columns, rows) -> dict:
    """A CSV file as the browser's file chooser hands it over."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return {"name": name, "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def cases(month, *, late: int, bad_csat_at: int | None = None) -> list[dict]:
    """Ten cases of `month` of the Premium customer acme-bank (1 hour to respond, 8 to resolve,
    around the clock), answered within half an hour and resolved within 6 hours, three rated;
    the first `late` were answered 5 hours after registration, 4 hours after their response
    deadline. The case at index `bad_csat_at` carries a CSAT of 9, out of range."""
    rows = []
    for number in range(10):
        registered = month.start + timedelta(days=2, hours=9 + number)
        rows.append(
            {
                "solution": SLUG,
                "case_id": f"PL-{number + 1:03d}",
                "customer": "acme-bank",
                "priority": "medium",
                "registered_at": registered.isoformat(),
                "first_response_at": (
                    registered + timedelta(minutes=300 if number < late else 30)
                ).isoformat(),
                "resolved_at": (registered + timedelta(hours=6)).isoformat(),
                "escalation_level": "0",
                "csat": {7: "5", 8: "4", 9: "5"}.get(number, ""),
                "presale": "false",
            }
        )
    if bad_csat_at is not None:
        rows[bad_csat_at]["csat"] = "9"
    return rows


def upload(page, kind: str, file: dict) -> None:
    """Pick the file in the upload box of `kind` and send it."""
    box = page.get_by_test_id(f"upload-{kind}")
    box.get_by_label("CSV file").set_input_files(file)
    box.get_by_role("button", name="Upload").click()


def field(page, label: str):
    """The form field labelled exactly `label` (crispy marks required ones with "*")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?:?\s*$"))


def alert(page, text: str):
    return page.get_by_role("alert").filter(has_text=text)


def kpi_cell(page, month, kpi: KPI):
    return page.get_by_test_id(f"month-{month.name}").get_by_test_id(f"cell-{kpi.value}")


def public_badge(new_page) -> dict:
    """The badge's JSON as an anonymous visitor's browser reads it (a fresh one each time: the
    answer may be cached for five minutes)."""
    page = new_page()
    response = page.goto(BADGE_JSON)
    assert response is not None and response.ok
    return json.loads(response.text())


def test_partner_uploads_data_a_failed_month_revokes_the_badge_and_an_analyst_restores_it(
    log_in, new_page, solution, partner, analyst, month
):
    """R5.8, R5.4, R7.1: cases the partner uploads with 2 of 10 answered late by the customer's
    SLA fail "at most 1 % overdue on response" for their month; its evaluation revokes the
    badge, the public badge says so, and an analyst restores it by hand."""
    # --- The partner finds the KPI page from the solution page.
    nina = log_in(partner)
    nina.get_by_role("link", name="My solutions").click()
    nina.get_by_role("link", name=SOLUTION, exact=True).click()
    expect(nina.get_by_role("heading", level=1)).to_have_text(SOLUTION)
    nina.get_by_test_id("kpi-link").get_by_role("link", name="Support KPIs and customers").click()
    expect(nina).to_have_url(re.compile(re.escape(KPI_URL) + "$"))
    expect(nina.get_by_role("heading", level=1)).to_have_text(f"Support KPIs of {SOLUTION}")
    state = nina.get_by_test_id("certification-state")
    expect(state.locator("strong")).to_have_text("Certified")
    expect(state).to_contain_text("certified version 2.4.0")
    expect(nina.get_by_test_id("uploads").locator(".card-title")).to_have_text(
        ["Support cases", "NPS answers", "Customers"]
    )

    # --- The customers first: their contracts decide the SLA of their cases.
    active_until = (timezone.localdate() + timedelta(days=365)).isoformat()
    customers = [
        ("acme-bank", "2.4.0", "premium"),
        ("globex", "2.3.1", "business"),
        ("initech", "2.4.0", "basic"),
    ]
    upload(
        nina,
        "customers",
        csv_file(
            "customers.csv",
            CUSTOMER_COLUMNS,
            [
                {
                    "solution": SLUG,
                    "customer_id": customer,
                    "installed_version": version,
                    "support_package": package,
                    "region": "emea",
                    "active_until": active_until,
                }
                for customer, version, package in customers
            ],
        ),
    )

    expect(alert(nina, "Customers: 3 created, 0 updated.")).to_be_visible()
    versions = nina.get_by_test_id("versions-in-use").locator("tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator("td")).to_have_text(["2.4.0 current", "2"])
    expect(versions.nth(1).locator("td")).to_have_text(["2.3.1", "1"])
    expect(nina.get_by_test_id("share-on-current")).to_have_text(
        "On the current version 2.4.0: 66.7 % (2 of 3 active customers, R6.4)."
    )
    expect(nina.get_by_test_id("behind").locator("tbody tr td").first).to_have_text("globex")

    # --- A file with one bad row is refused whole, the row named by line and column.
    upload(nina, "cases", csv_file("cases.csv", CASE_COLUMNS, cases(month, late=2, bad_csat_at=2)))

    refused = nina.get_by_test_id("upload-errors")
    expect(refused.locator("strong")).to_have_text("Nothing was imported.")
    expect(refused.get_by_role("listitem")).to_have_text(
        ["line 4, column csat: 9 is out of range 1–5"]
    )
    assert SupportCase.objects.filter(solution=solution).count() == 0
    shot(nina, "kpi-upload-refused")

    # --- The corrected file, then the customers' NPS answers.
    upload(nina, "cases", csv_file("cases.csv", CASE_COLUMNS, cases(month, late=2)))

    expect(alert(nina, "Support cases: 10 created, 0 updated.")).to_be_visible()
    expect(nina).to_have_url(re.compile(re.escape(KPI_URL) + "#result$"))
    expect(nina.get_by_test_id("upload-errors")).to_have_count(0)
    assert SupportCase.objects.filter(solution=solution).count() == 10

    answered_at = month.start + timedelta(days=20, hours=12)
    upload(
        nina,
        "nps",
        csv_file(
            "nps.csv",
            NPS_COLUMNS,
            [
                {
                    "solution": SLUG,
                    "respondent": customer,
                    "answered_at": answered_at.isoformat(),
                    "score": score,
                }
                for (customer, *_contract), score in zip(customers, ("9", "8", "10"), strict=True)
            ],
        ),
    )

    expect(alert(nina, "NPS answers: 3 created, 0 updated.")).to_be_visible()
    survey = nina.get_by_test_id(f"half-year-{half_year_of(answered_at)}").locator("td")
    expect(survey.nth(2)).to_have_text("3")
    expect(survey.nth(3)).to_have_text("3 of 3")
    assert (
        Customer.objects.filter(solution=solution).count(),
        NPSAnswer.objects.filter(solution=solution).count(),
    ) == (3, 3)
    shot(nina, "kpi-uploaded")

    # --- The month is evaluated: 2 of 10 overdue on response fails, and the badge goes.
    (result,) = evaluate_period(month.name, solutions=[solution], as_of=timezone.now())
    assert (result["kpis"][KPI.RESPONSE_OVERDUE_RATE]["status"], result["action"]) == (
        "fail",
        "revoked",
    )

    nina.reload()
    failed = kpi_cell(nina, month, KPI.RESPONSE_OVERDUE_RATE)
    expect(failed.get_by_test_id("value")).to_have_text("20.0 %")
    expect(failed.get_by_test_id("figures")).to_have_text("2 / 10")
    expect(failed.get_by_test_id("target")).to_have_text("target at most 1 %")
    expect(failed.get_by_test_id("status")).to_have_text("✗ fail")
    for kpi, value in [
        (KPI.RESOLUTION_OVERDUE_RATE, "0.0 %"),
        (KPI.CSAT_RESPONSE_RATE, "30.0 %"),
        (KPI.CSAT_POSITIVE_SHARE, "100.0 %"),
        (KPI.ESCALATIONS, "0"),
    ]:
        cell = kpi_cell(nina, month, kpi)
        expect(cell.get_by_test_id("value")).to_have_text(value)
        expect(cell.get_by_test_id("status")).to_have_text("✓ pass")
    expect(nina.get_by_test_id(f"month-{month.name}").get_by_test_id("so-far")).to_have_count(0)
    breach = nina.get_by_test_id("breaches").locator("tbody tr")
    expect(breach).to_have_count(1)
    expect(breach.locator("td").nth(0)).to_have_text(month.name)
    expect(breach.locator("td").nth(1)).to_have_text("Cases overdue on response")
    expect(breach.locator("td").nth(2)).to_have_text("2 of 10 = 20 %")
    expect(breach.locator("td").nth(3)).to_have_text("Badge revoked")
    expect(state.locator("strong")).to_have_text("Revoked")
    expect(state).to_have_class(re.compile(r"\balert-danger\b"))
    shot(nina, "kpi-failed")

    revoked = public_badge(new_page)
    assert (revoked["certified"], revoked["status"], revoked["reason"]) == (
        False,
        "revoked",
        f"Cases overdue on response failed in {month.name}: 2 of 10 = 20 %, target at most 1 % "
        "(on the month's final figures)",
    )

    # --- An analyst reads the same page, without upload forms, and restores the badge.
    anna = log_in(analyst)
    anna.get_by_role("link", name="Solutions", exact=True).click()
    anna.get_by_role("link", name=SOLUTION, exact=True).click()
    anna.get_by_test_id("kpi-link").get_by_role("link").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(f"Support KPIs of {SOLUTION}")
    expect(kpi_cell(anna, month, KPI.RESPONSE_OVERDUE_RATE).get_by_test_id("status")).to_have_text(
        "✗ fail"
    )
    expect(anna.get_by_test_id("uploads")).to_have_count(0)
    expect(anna.locator("input[type=file]")).to_have_count(0)
    expect(anna.get_by_role("button", name="Upload")).to_have_count(0)

    anna.get_by_test_id("certification-state").get_by_role(
        "link", name="Certificate and history"
    ).click()
    expect(anna.get_by_test_id("badge")).to_have_class(
        re.compile(r"\btext-decoration-line-through\b")
    )
    expect(anna.get_by_test_id("showcase")).to_have_text("Not shown on the Marketplace showcase")
    anna.get_by_test_id("certificate-actions").get_by_role("link", name="Restore the badge").click()

    expect(anna.get_by_role("heading", level=1)).to_have_text(
        f"Restore the “Certified” badge of {SOLUTION}?"
    )
    expect(anna.get_by_test_id("consequence")).to_contain_text(
        f"The badge comes back on the Marketplace showcase for {SOLUTION} 2.4.0."
    )
    field(anna, "Reason").fill(
        "Remediation agreed: response times back within the SLA since the 1st."
    )
    anna.get_by_role("button", name="Restore the badge").click()

    expect(alert(anna, f"Badge restored: {SOLUTION} is back on the showcase.")).to_be_visible()
    expect(anna.get_by_test_id("badge")).to_have_text("✓ Certified")
    expect(anna.get_by_test_id("showcase")).to_have_text("Shown on the Marketplace showcase")
    history = anna.get_by_test_id("history").locator("tbody tr")
    expect(history.last.locator("td").nth(1)).to_have_text("Restored")
    expect(history.last.locator("td").nth(4)).to_have_text("Anna Analyst")
    expect(history.last.locator("td").nth(5)).to_have_text(
        "Remediation agreed: response times back within the SLA since the 1st."
    )
    shot(anna, "certificate-restored")
    solution.certification.refresh_from_db()
    assert solution.certification.status == CertificationStatus.CERTIFIED

    restored = public_badge(new_page)
    assert (restored["certified"], restored["status"], restored["certified_version"]) == (
        True,
        "certified",
        "2.4.0",
    )
    nina.reload()
    expect(state.locator("strong")).to_have_text("Certified")


def test_kpi_page_in_russian(log_in, solution, partner):
    if not RUSSIAN_CATALOGUE.exists():
        pytest.skip(f"{RUSSIAN_CATALOGUE} is not compiled yet (make messages)")
    with translation.override("ru"):
        heading = translation.gettext("Support KPIs of %(name)s") % {"name": SOLUTION}
        column = str(KPI.RESPONSE_OVERDUE_RATE.label)
        certified = str(CertificationStatus.CERTIFIED.label)
    assert re.search("[А-Яа-яЁё]", column + certified), (column, certified)

    nina = log_in(partner)
    nina.goto(KPI_URL)
    expect(nina.get_by_role("heading", level=1)).to_have_text(f"Support KPIs of {SOLUTION}")
    nina.get_by_label("Language").select_option("ru")

    expect(nina.locator("html")).to_have_attribute("lang", "ru")
    expect(nina).to_have_url(re.compile(re.escape(KPI_URL) + "$"))
    expect(nina.get_by_role("heading", level=1)).to_have_text(heading)
    expect(nina.get_by_test_id("months").locator("thead th")).to_contain_text([column])
    expect(nina.get_by_test_id("months").locator("tbody tr")).to_have_count(12)
    expect(nina.get_by_test_id("certification-state").locator("strong")).to_have_text(certified)
    expect(nina.get_by_test_id("uploads").locator("form")).to_have_count(3)
    assert re.search("[А-Яа-яЁё]", nina.locator("nav.navbar").inner_text())
    assert_styled(nina)
    shot(nina, "kpi-ru")
