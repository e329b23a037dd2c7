"""A refused KPI upload in a real browser: the result is in view and focused, whatever the
length of the page, with no serious accessibility violation, and its error report downloads
without sending the file again."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.enums import Role
from kpi.importing import CASE_COLUMNS
from kpi.models import SupportCase
from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import CertificationFactory
from .test_kpis import KPI_URL, SLUG, csv_file, upload

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def solution(kpi_targets):
    """A certified solution, with the SLA policies its cases' deadlines are computed by."""
    return CertificationFactory(solution__slug=SLUG).solution


@pytest.fixture
def partner(solution):
    return UserFactory(role=Role.PARTNER, partner=solution.partner, password=PASSWORD)


def test_a_refused_file_shows_its_errors_in_view_and_its_report_downloads(
    log_in, solution, partner
):
    CustomerFactory(solution=solution, customer_id="acme-bank")
    registered = timezone.now() - timedelta(days=3)
    rows = [
        {
            "solution": SLUG,
            "case_id": f"PL-{number}",
            "customer": "acme-bank",
            "registered_at": registered.isoformat(),
            "csat": "9",
            "priority": "urgent" if number == 2 else "",
        }
        for number in range(1, 4)
    ]
    nina = log_in(partner)
    nina.goto(KPI_URL)
    nina.get_by_test_id("upload-cases").scroll_into_view_if_needed()

    upload(nina, "cases", csv_file("cases.csv", CASE_COLUMNS, rows))

    result = nina.locator("#result")
    expect(result).to_be_in_viewport()
    expect(result).to_be_focused()
    expect(result.get_by_role("heading", level=2)).to_have_text(
        "Nothing was imported. Support cases: the file was refused whole."
    )
    expect(result.get_by_role("listitem")).to_have_count(4)
    # axe checks this page like every page a browser test loads (tests/e2e/conftest.py).
    with nina.expect_download() as download:
        result.get_by_test_id("error-report").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(report)))
    assert [line[:3] for line in lines] == [
        ["Row", "Column", "Value"],
        ["2", "csat", "9"],
        ["3", "priority", "urgent"],
        ["3", "csat", "9"],
        ["4", "csat", "9"],
    ]
    assert SupportCase.objects.count() == 0
