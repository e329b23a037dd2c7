"""The charts of a solution's KPI page: a monthly trend per case KPI with its target, final and
provisional figures apart, failed months marked; the NPS by half-year with participation; the
remediation plans and the badge history; a page that costs the same whatever the data."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.models import KPI, Comparison, KPISnapshot
from kpi.periods import recent_months
from support_audit.models import RemediationItem, RemediationPlan
from tests.factories.accounts import UserFactory
from tests.factories.kpi import (
    CustomerFactory,
    KPISnapshotFactory,
    NPSAnswerFactory,
    SupportCaseFactory,
)

from ..factories.workflow import (
    CertificationEventFactory,
    CertificationFactory,
    SolutionFactory,
    actor,
)
from ..workflow.markup import attr, find_all, text, texts

pytestmark = pytest.mark.django_db

# The suite's now is 18 Nov 2026: the page shows December 2025 to November 2026 (so far).
CATEGORIES = ["2025-12", *[f"2026-{month:02d}" for month in range(1, 12)]]


@pytest.fixture
def certification():
    return CertificationFactory(
        solution__name="Phone Link",
        solution__slug="phone-link",
        since=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
    )


@pytest.fixture
def solution(certification):
    return certification.solution


@pytest.fixture
def figures(solution):
    """Cases overdue on response: August failed (2.5 %), September met (0.5 %), both final;
    October failed on provisional figures (2.5 %); November so far 0 of 50. Escalations:
    3 in September, final, over the limit of 2."""
    KPISnapshotFactory(solution=solution, period="2026-08", failed=True)
    KPISnapshotFactory(solution=solution, period="2026-09")
    KPISnapshotFactory(solution=solution, period="2026-10", failed=True, provisional=True)
    KPISnapshotFactory(
        solution=solution, period="2026-11", numerator=0, denominator=50, provisional=True
    )
    KPISnapshotFactory(
        solution=solution,
        period="2026-09",
        kpi=KPI.ESCALATIONS,
        numerator=3,
        value=Decimal(3),
        target_value=Decimal(2),
        target="at most 2",
        status=KPISnapshot.Status.FAIL,
    )


def kpi_page(client, user, slug="phone-link"):
    client.force_login(user)
    return client.get(reverse("solution_kpis", args=[slug]))


def chart(response, ident):
    (figure,) = find_all(response, "figure", id=ident)
    return figure


def figures_table(figure) -> list[list[str]]:
    """The table beside a chart: its header, then a row per category."""
    (table,) = find_all(figure, "table")
    return [texts(row, "th") + texts(row, "td") for row in find_all(table, "tr")]


def test_each_case_kpi_has_a_monthly_chart_with_its_target(client, solution, figures):
    response = kpi_page(client, actor("own_partner", solution))

    (section,) = find_all(response, data_testid="kpi-charts")
    assert [text(node) for node in find_all(section, "figcaption")] == [
        "Cases overdue on response",
        "Cases overdue on resolution",
        "CSAT response rate",
        "CSAT positive share",
        "Escalated cases",
    ]
    response_chart = chart(response, "chart-response_overdue_rate")
    assert "Target: at most 1 %" in texts(response_chart, "li")
    assert len(find_all(response_chart, "line", **{"class": "chart-target"})) == 1
    escalations = chart(response, "chart-escalations")
    assert "Target: at most 2" in texts(escalations, "li")
    # A KPI without any figure says so instead of drawing an empty chart.
    assert texts(chart(response, "chart-csat_response_rate"), "p") == [
        "No figures for this period yet."
    ]


def test_the_trend_keeps_final_and_provisional_figures_apart_and_marks_failed_months(
    client, solution, figures
):
    """R5.4: a month over the target is marked, on final figures as on provisional ones; a
    provisional month is its own series, so it never reads as a final verdict."""
    response = kpi_page(client, actor("own_partner", solution))

    rows = figures_table(chart(response, "chart-response_overdue_rate"))
    assert rows[0] == ["", "Final figures", "Provisional figures"]
    assert {row[0]: row[1:] for row in rows[1:]} == {
        **{month: ["–", "–"] for month in CATEGORIES[:8]},
        "2026-08": ["2.5 % target missed", "–"],
        "2026-09": ["0.5 %", "–"],
        "2026-10": ["–", "2.5 % target missed"],
        "2026-11": ["–", "0 %"],
    }
    assert [row[0] for row in rows[1:]] == CATEGORIES
    marks = find_all(chart(response, "chart-response_overdue_rate"), "path")
    assert [text(mark) for mark in marks] == [
        "2026-08 · Final figures: 2.5 % (target missed)",
        "2026-10 · Provisional figures: 2.5 % (target missed)",
    ]
    escalations = {row[0]: row[1:] for row in figures_table(chart(response, "chart-escalations"))}
    assert escalations["2026-09"] == ["3 target missed", "–"]


def test_the_nps_chart_shows_each_half_years_mean_against_its_target_and_participation(
    client, solution
):
    """R5.1: the mean score of 2026-H1 (7.2) misses the target of 7.5 and is marked; one of
    the two active customers answered (50 %)."""
    KPISnapshotFactory(
        solution=solution,
        period="2026-H1",
        kpi=KPI.NPS_MEAN,
        numerator=72,
        denominator=10,
        value=Decimal("7.2"),
        comparison=Comparison.AT_LEAST,
        target_value=Decimal("7.5"),
        target="at least 7.5",
        status=KPISnapshot.Status.FAIL,
    )
    KPISnapshotFactory(
        solution=solution,
        period="2025-H2",
        kpi=KPI.NPS_MEAN,
        numerator=81,
        denominator=10,
        value=Decimal("8.1"),
        comparison=Comparison.AT_LEAST,
        target_value=Decimal("7.5"),
        target="at least 7.5",
    )
    CustomerFactory(solution=solution, customer_id="acme")
    CustomerFactory(solution=solution, customer_id="r1")
    NPSAnswerFactory(
        solution=solution,
        respondent="acme",
        half_year="2026-H1",
        answered_at=datetime(2026, 5, 4, tzinfo=UTC),
    )

    response = kpi_page(client, actor("own_partner", solution))

    mean = chart(response, "chart-nps-mean")
    assert "Target: at least 7.5" in texts(mean, "li")
    assert figures_table(mean) == [
        ["", "Mean score"],
        ["2025-H2", "8.1"],
        ["2026-H1", "7.2 target missed"],
        ["2026-H2", "–"],
    ]
    assert figures_table(chart(response, "chart-nps-participation")) == [
        ["", "Active customers who answered"],
        ["2025-H2", "0 %"],
        ["2026-H1", "50 %"],
        ["2026-H2", "0 %"],
    ]


def test_the_page_lists_remediation_plans_and_the_badge_history(client, certification):
    """R5.8: the plan agreed after a breach and the badge's history, newest first."""
    solution = certification.solution
    analyst = UserFactory(role="Analyst", first_name="Ann", last_name="Lee")
    plan = RemediationPlan.objects.create(
        solution=solution,
        covers_kpis=[KPI.RESPONSE_OVERDUE_RATE],
        agreed_at=datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
        agreed_by=analyst,
    )
    RemediationItem.objects.create(
        plan=plan, description="Hire a second engineer", owner="Acme", due_on=date(2026, 12, 1)
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
        action=CertificationEvent.Action.AT_RISK,
        status=CertificationStatus.AT_RISK,
        actor=analyst,
        reason="Late answers in October",
        at=datetime(2026, 11, 5, 10, 0, tzinfo=UTC),
    )

    response = kpi_page(client, actor("own_partner", solution))

    (plans,) = find_all(response, data_testid="remediation-plans")
    assert texts(plans, "h3") == ["in force Agreed on 5 Nov 2026 by Ann Lee"]
    assert texts(plans, "p") == ["KPIs covered: Cases overdue on response"]
    assert texts(plans, "li") == ["open Hire a second engineer — Acme, due 1 Dec 2026"]
    (history,) = find_all(response, "table", data_testid="badge-history")
    rows = [texts(row, "td") for row in find_all(history, "tr")[1:]]
    assert rows == [
        [
            "5 Nov 2026, 10:00 UTC",
            "Marked at risk",
            "Certified, at risk",
            certification.version.number,
            "Ann Lee",
            "Late answers in October",
        ],
        [
            "1 Mar 2024, 09:00 UTC",
            "Granted",
            "Certified",
            certification.version.number,
            "scheduled job",
            "",
        ],
    ]


def test_a_solution_never_certified_has_no_badge_history(client):
    solution = SolutionFactory(slug="never")

    response = kpi_page(client, actor("own_partner", solution), "never")

    assert texts(response, data_testid="no-badge-history") == [
        "The solution has not been certified: no badge history yet."
    ]


def _fill(solution, months: int, cases: int):
    """`months` months of every case KPI (the page shows twelve) and `cases` cases."""
    names = [period.name for period in recent_months(datetime(2026, 11, 18, tzinfo=UTC), months)]
    for name in names:
        for kpi in (KPI.RESPONSE_OVERDUE_RATE, KPI.RESOLUTION_OVERDUE_RATE):
            KPISnapshotFactory(solution=solution, period=name, kpi=kpi, failed=True)
    start = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    SupportCaseFactory.create_batch(cases, solution=solution, registered_at=start)
    plan = RemediationPlan.objects.create(
        solution=solution, agreed_by=UserFactory(role="Analyst"), covers_kpis=["escalations"]
    )
    for n in range(months):
        RemediationItem.objects.create(
            plan=plan, description=f"Action {n}", owner="Acme", due_on=date(2026, 12, 1)
        )
    CertificationEventFactory.create_batch(months, certification=solution.certification)


@pytest.mark.parametrize(("small", "large"), [((3, 10), (24, 100))])
def test_the_kpi_page_costs_the_same_at_3_and_24_months_and_10_and_100_cases(client, small, large):
    counts = []
    for months, cases in (small, large):
        solution = CertificationFactory().solution
        _fill(solution, months, cases)
        user = actor("own_partner", solution)
        kpi_page(client, user, solution.slug)  # the session is read once logged in
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("solution_kpis", args=[solution.slug]))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_kpi_page_links_its_downloads(client, certification, figures):
    solution = certification.solution
    CertificationEventFactory(certification=certification)

    response = kpi_page(client, actor("own_partner", solution))

    links = {attr(a, "href") for a in find_all(response, "a") if attr(a, "download") is not None}
    assert links >= {
        "?export=csv",
        "?export=xlsx",
        reverse("kpi_cases_export", args=["phone-link"]),
        reverse("kpi_cases_export_xlsx", args=["phone-link"]),
        reverse("kpi_badge_history_csv", args=["phone-link"]),
        reverse("kpi_badge_history_xlsx", args=["phone-link"]),
    }
