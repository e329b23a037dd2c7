"""The API of a solution's KPI snapshots and breaches (kpi/api.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpi.models import KPI, Breach, KPISnapshot
from kpi.texts import figures
from tests.factories.accounts import UserFactory
from tests.factories.kpi import BreachFactory, KPISnapshotFactory
from tests.factories.workflow import SolutionFactory

from .test_review_api import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def solution():
    return SolutionFactory(slug="telephony")


def partner_of(solution):
    return UserFactory(role="Partner", partner=solution.partner)


def test_snapshots_list_each_kpi_and_period_with_its_target_and_finality(solution):
    KPISnapshotFactory(
        solution=solution,
        period="2026-10",
        kpi=KPI.CSAT_RESPONSE_RATE,
        numerator=1,
        denominator=10,
        target=">= 0.07",
        comparison="at_least",
        target_value=Decimal("0.07"),
    )
    KPISnapshotFactory(
        solution=solution,
        period="2026-11",
        kpi=KPI.ESCALATIONS,
        numerator=3,
        denominator=3,
        value=Decimal(3),
        target="<= 2",
        comparison="at_most",
        target_value=Decimal(2),
        status=KPISnapshot.Status.FAIL,
        provisional=True,
    )

    answer = client_for(partner_of(solution)).get("/api/v1/solutions/telephony/kpi/snapshots/")

    body = answer.json()
    assert answer.status_code == 200
    assert body["count"] == 2
    november, october = body["results"]
    assert (november["period"], november["kpi"], november["value"]) == ("2026-11", "escalations", 3)
    assert (november["status"], november["provisional"], november["final"]) == ("fail", True, False)
    assert november["target"] == "at most 2"
    assert october["value"] == 0.1
    assert october["value_text"] == "10 %"
    assert (october["target"], october["target_value"]) == ("at least 7 %", 0.07)
    assert (october["period_kind"], october["final"]) == ("month", True)


def test_snapshots_filter_by_kpi_status_finality_and_months(solution):
    for period in ("2026-01", "2026-05", "2026-08", "2026-11"):
        KPISnapshotFactory(solution=solution, period=period)
    KPISnapshotFactory(solution=solution, period="2026-H1", kpi=KPI.NPS_MEAN)
    KPISnapshotFactory(solution=solution, period="2026-H2", kpi=KPI.NPS_MEAN)
    KPISnapshotFactory(solution=solution, period="2025-H2", kpi=KPI.NPS_MEAN)
    KPISnapshotFactory(solution=solution, period="2026-09", provisional=True, status="fail")
    client = client_for(partner_of(solution))
    url = "/api/v1/solutions/telephony/kpi/snapshots/"

    def periods(**query):
        return [row["period"] for row in client.get(url, query).json()["results"]]

    assert periods(month_from="2026-05", month_to="2026-08") == [
        "2026-H2",
        "2026-H1",
        "2026-08",
        "2026-05",
    ]
    assert periods(month_from="2026-07") == ["2026-H2", "2026-11", "2026-09", "2026-08"]
    assert periods(month_to="2026-01") == ["2026-H1", "2026-01", "2025-H2"]
    assert periods(kpi="nps_mean") == ["2026-H2", "2026-H1", "2025-H2"]
    assert periods(final="false") == ["2026-09"]
    assert periods(status="fail") == ["2026-09"]


def test_bad_filters_answer_a_message_per_parameter(solution):
    answer = client_for(partner_of(solution)).get(
        "/api/v1/solutions/telephony/kpi/snapshots/",
        {"kpi": "happiness", "month_from": "2026-13"},
    )
    backwards = client_for(partner_of(solution)).get(
        "/api/v1/solutions/telephony/kpi/breaches/",
        {"month_from": "2026-10", "month_to": "2026-01"},
    )

    assert answer.status_code == 400
    assert set(answer.json()) == {"kpi", "month_from"}
    assert answer.json()["month_from"] == ["A month is written YYYY-MM, e.g. 2026-10."]
    assert backwards.status_code == 400
    assert backwards.json() == {"month_to": ["The last month comes before the first."]}


def test_breaches_list_what_was_done_with_the_figures_in_the_readers_language(solution):
    breach = BreachFactory(solution=solution, detail="")
    text = figures(KPI.RESPONSE_OVERDUE_RATE, 3, 40)
    breach.text_code, breach.text_params = text.code, text.params
    breach.save()
    BreachFactory(solution=solution, period="2026-09", kpi=KPI.ESCALATIONS, action="none")

    english = client_for(partner_of(solution)).get("/api/v1/solutions/telephony/kpi/breaches/")
    russian = client_for(partner_of(solution)).get(
        "/api/v1/solutions/telephony/kpi/breaches/",
        {"action": "revoked"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert [(b["period"], b["action"]) for b in english.json()["results"]] == [
        ("2026-10", "revoked"),
        ("2026-09", "none"),
    ]
    with translation.override("ru"):
        in_russian = Breach.objects.get(pk=breach.pk).detail_text
    (only,) = russian.json()["results"]
    assert only["detail"] == in_russian
    assert only["detail"] != english.json()["results"][0]["detail"]
    assert english.json()["results"][0]["basis"] == "final"


def test_another_partners_solution_answers_404(solution):
    KPISnapshotFactory(solution=solution)
    stranger = client_for(UserFactory(partner_member=True))

    snapshots = stranger.get("/api/v1/solutions/telephony/kpi/snapshots/")
    breaches = stranger.get("/api/v1/solutions/telephony/kpi/breaches/")

    assert (snapshots.status_code, breaches.status_code) == (404, 404)
    assert "detail" in snapshots.json()


@pytest.mark.parametrize("path", ["snapshots", "breaches"])
def test_the_lists_cost_the_same_queries_at_5_and_50_rows(solution, path):
    client = client_for(UserFactory(analyst=True))
    factory = KPISnapshotFactory if path == "snapshots" else BreachFactory

    def queries(rows: int) -> int:
        for number in range(factory._meta.model.objects.count(), rows):
            factory(solution=solution, period=f"{2000 + number // 12}-{number % 12 + 1:02d}")
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(f"/api/v1/solutions/telephony/kpi/{path}/")
        assert answer.json()["count"] == rows
        return len(captured)

    assert queries(5) == queries(50)
