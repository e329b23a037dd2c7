"""The KPI page tells final from provisional months, lists the cases that arrived late to the
analysts, and an analyst re-opens a final month after confirming it (R5.4–R5.8)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.enums import CertificationStatus
from kpi import judging
from kpi.evaluation import evaluate_period
from kpi.importing import import_cases
from kpi.models import KPI, Breach, KPISnapshot, KPIWarning, MonthReopening
from kpi.periods import parse_period
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory, SupportCaseFactory
from tests.kpi.test_kpi_pages import cell, kpi_page

from ..factories.workflow import CertificationFactory, actor
from ..workflow.markup import alerts, by_testid, errors, find_all, text, texts

pytestmark = pytest.mark.django_db

EARLY_OCTOBER = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
AFTER_OCTOBER = datetime(2026, 11, 5, tzinfo=UTC)


@pytest.fixture
def solution():
    """A certified solution whose October was judged final: 2 escalated cases of 10."""
    solution = CertificationFactory(solution__slug="phone-link").solution
    CustomerFactory(solution=solution, customer_id="acme")
    SupportCaseFactory.create_batch(8, solution=solution, registered_at=EARLY_OCTOBER, csat=5)
    SupportCaseFactory.create_batch(
        2, solution=solution, registered_at=EARLY_OCTOBER, csat=5, escalation_level=1
    )
    evaluate_period("2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
    return solution


@pytest.fixture
def analyst():
    return UserFactory(analyst=True)


def late_case(solution):
    import_cases(
        [
            {
                "solution": solution.slug,
                "case_id": "LATE-1",
                "customer": "acme",
                "support_package": "business",
                "region": "emea",
                "registered_at": "2026-10-20T10:00:00+00:00",
                "first_response_at": "2026-10-20T10:30:00+00:00",
                "resolved_at": "2026-10-20T12:00:00+00:00",
                "escalation_level": "1",
            }
        ]
    )


def month_label(response, period) -> str:
    (row,) = find_all(response, "tr", data_testid=f"month-{period}")
    return text(find_all(row, "th")[0])


def test_a_final_month_is_labelled_final_and_a_provisional_one_provisional(
    client, solution, analyst
):
    open_one = CertificationFactory().solution
    SupportCaseFactory(
        solution=open_one,
        registered_at=EARLY_OCTOBER,
        resolved_at=None,
        resolution_due_at=AFTER_OCTOBER + timedelta(days=30),
    )
    evaluate_period("2026-10", solutions=[open_one], as_of=AFTER_OCTOBER)
    client.force_login(analyst)

    final = kpi_page(client, solution)
    provisional = kpi_page(client, open_one)

    assert month_label(final, "2026-10") == "October 2026 final Re-open"
    assert month_label(provisional, "2026-10") == (
        "October 2026 provisional — cases still open within their deadline"
    )
    assert month_label(final, "2026-11") == "November 2026 so far — not enforced"


def test_the_partner_sees_final_without_re_opening_or_late_cases(client, solution):
    late_case(solution)
    client.force_login(actor("own_partner", solution))

    response = kpi_page(client, solution)

    assert month_label(response, "2026-10") == "October 2026 final"
    assert find_all(response, data_testid="late-cases") == []


def test_the_analyst_sees_the_case_that_arrived_late_not_counted(client, solution, analyst):
    late_case(solution)
    client.force_login(analyst)

    response = kpi_page(client, solution)

    (table,) = find_all(response, "table", data_testid="late-cases")
    row = texts(find_all(table, "tr")[1], "td")
    assert (row[0], row[1], row[4]) == ("LATE-1", "2026-10", "not yet")
    assert cell(response, parse_period("2026-10"), KPI.ESCALATIONS) == (
        "2 2 / 10 target at most 2 ✓ pass"
    )


def test_re_opening_asks_for_confirmation_and_a_reason(client, solution, analyst):
    late_case(solution)
    client.force_login(analyst)
    url = reverse("kpi_month_reopen", args=[solution.slug, "2026-10"])

    page = client.get(url)
    refused = client.post(url, {"reason": "Late export from the partner's system."})

    assert by_testid(page, "late-count") == (
        "1 case arrived after the month was final and is not counted yet."
    )
    assert refused.status_code == 200
    assert errors(refused) == ["This field is required."]
    assert MonthReopening.objects.count() == 0


def test_an_analyst_re_opens_and_the_late_case_counts(client, solution, analyst):
    """R5.6, R5.8 Confirmed, the month is evaluated again with the late case: a third
    escalation, a breach on final figures and the badge revoked; the page keeps the history."""
    late_case(solution)
    client.force_login(analyst)
    url = reverse("kpi_month_reopen", args=[solution.slug, "2026-10"])

    response = client.post(url, {"reason": "Late export.", "confirm": "on"}, follow=True)

    assert "The evaluation of 2026-10 was re-opened and evaluated again: final." in alerts(response)
    snapshot = KPISnapshot.objects.get(solution=solution, period="2026-10", kpi="escalations")
    assert (snapshot.numerator, snapshot.provisional) == (3, False)
    assert Breach.objects.get().basis == Breach.Basis.FINAL
    solution.certification.refresh_from_db()
    assert solution.certification.status == CertificationStatus.REVOKED
    (history,) = find_all(response, "ul", data_testid="reopenings")
    [reopened] = texts(history, "li")
    assert reopened.startswith("2026-10 re-opened on ")
    assert reopened.endswith(": Late export.")
    (table,) = find_all(response, "table", data_testid="late-cases")
    assert texts(find_all(table, "tr")[1], "td")[4] == "yes, since the month was re-opened"


@pytest.mark.parametrize("who", ["own_partner", "leader"])
def test_only_an_analyst_may_re_open(client, solution, who):
    client.force_login(actor(who, solution))

    response = client.post(
        reverse("kpi_month_reopen", args=[solution.slug, "2026-10"]),
        {"reason": "Please.", "confirm": "on"},
    )

    assert response.status_code in (403, 404)
    assert MonthReopening.objects.count() == 0


def test_a_month_not_final_cannot_be_re_opened(client, solution, analyst):
    client.force_login(analyst)

    response = client.get(reverse("kpi_month_reopen", args=[solution.slug, "2026-11"]))

    assert response.status_code == 404


def test_a_breach_says_what_it_was_judged_on(client, solution, analyst):
    Breach.objects.create(
        solution=solution,
        period="2026-10",
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        action=Breach.Action.REVOKED,
        basis=Breach.Basis.IRREVERSIBLE,
        detail="3 of 120 = 2.5 %",
    )
    client.force_login(analyst)

    response = kpi_page(client, solution)

    assert texts(response, data_testid="basis") == [
        "Before the figures were final: no later data can undo it"
    ]


def _late_and_warned(solution, size):
    """`size` late cases, warnings and re-openings on the page."""
    for n in range(size):
        SupportCaseFactory(
            solution=solution,
            registered_at=EARLY_OCTOBER,
            arrived_late_at=AFTER_OCTOBER + timedelta(days=1 + n),
        )
        MonthReopening.objects.create(
            solution=solution, period="2026-10", by=UserFactory(analyst=True), reason=f"r{n}"
        )
        KPIWarning.objects.create(
            solution=solution,
            period="2026-11",
            kpi=list(judging.CASE_KPIS)[n],
            recipient=f"p{n}@example.com",
            language="en",
            numerator=3,
            denominator=10,
            comparison="at_most",
            target="0.01",
        )


def test_the_page_costs_the_same_with_more_late_cases_and_warnings(client, analyst):
    counts = []
    for size in (1, 3):
        target = CertificationFactory().solution
        evaluate_period("2026-10", solutions=[target], as_of=AFTER_OCTOBER)
        _late_and_warned(target, size)
        client.force_login(analyst)
        kpi_page(client, target)
        with CaptureQueriesContext(connection) as queries:
            response = kpi_page(client, target)
        (history,) = find_all(response, "ul", data_testid="reopenings")
        (late,) = find_all(response, "table", data_testid="late-cases")
        (warnings,) = find_all(response, data_testid="warnings")
        shown = (len(find_all(history, "li")), len(find_all(late, "tr")) - 1)
        assert (*shown, len(find_all(warnings, "li"))) == (size, size, size)
        counts.append(len(queries))

    assert counts[0] == counts[1]
