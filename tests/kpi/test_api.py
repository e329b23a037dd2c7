"""The partner API: cases and NPS answers as JSON lists, all or nothing; the solution list."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from catalogue.enums import Marketplace
from kpi.importing import CASE_COLUMNS
from kpi.models import NPSAnswer, SupportCase
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import CertificationFactory, PartnerFactory, SolutionFactory

MOSCOW = ZoneInfo("Europe/Moscow")

pytestmark = pytest.mark.django_db


def case_row(of, case_id="C-1", **values):
    row = dict.fromkeys(CASE_COLUMNS, "")
    row.update(
        solution=of.slug,
        case_id=case_id,
        customer="ACME",
        priority="high",
        registered_at="2026-11-13T16:00:00+03:00",
        first_response_at="2026-11-13T17:00:00+03:00",
        presale="false",
    )
    row.update(values)
    return row


def nps_row(of, respondent="r1", answered_at="2026-10-01T10:00:00+03:00", score=9):
    return {
        "solution": of.slug,
        "respondent": respondent,
        "answered_at": answered_at,
        "score": score,
    }


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def solution(partner):
    """Its customer ACME has a Basic contract in Russia; r1 and r2 are customers too."""
    solution = SolutionFactory(partner=partner, slug="telephony", marketplace=Marketplace.TERRASOFT)
    for customer_id in ("ACME", "r1", "r2"):
        CustomerFactory(
            solution=solution,
            customer_id=customer_id,
            support_package="basic",
            region="russia",
            active_until=date(2027, 12, 31),
        )
    return solution


def test_a_good_batch_is_stored_with_its_deadlines(token_client, solution):
    response = token_client.post(
        "/api/v1/cases/", [case_row(solution, "C-1"), case_row(solution, "C-2")], format="json"
    )

    assert response.status_code == 201
    assert response.json() == {"created": 2, "updated": 0}
    case = SupportCase.objects.get(solution=solution, case_id="C-1")
    assert case.response_due_at == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)
    assert case.resolution_due_at == datetime(2026, 11, 20, 11, 0, tzinfo=MOSCOW)


def test_posting_again_updates_instead_of_duplicating(token_client, solution):
    token_client.post("/api/v1/cases/", [case_row(solution, "C-1")], format="json")

    response = token_client.post(
        "/api/v1/cases/",
        [case_row(solution, "C-1", csat="4"), case_row(solution, "C-2")],
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {"created": 1, "updated": 1}
    assert SupportCase.objects.filter(solution=solution, case_id="C-1").count() == 1
    assert SupportCase.objects.get(solution=solution, case_id="C-1").csat == 4


def test_bad_rows_are_listed_and_nothing_is_stored(token_client, solution):
    rows = [
        case_row(solution, "C-1"),
        case_row(solution, "C-2", csat="0"),
        case_row(solution, "C-3", support_package="gold"),
        case_row(solution, "C-4", customer="Nobody"),
        case_row(solution, "C-5", support_package="premium"),
        case_row(solution, "C-1"),
    ]

    response = token_client.post("/api/v1/cases/", rows, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [
        (2, "csat"),
        (3, "support_package"),
        (4, "customer"),
        (5, "support_package"),
        (6, "case_id"),
    ]
    assert "out of range" in errors[0]["reason"]
    assert "unknown support package" in errors[1]["reason"]
    assert "“Nobody” is not a customer of this solution" in errors[2]["reason"]
    assert errors[3]["reason"] == (
        "“premium” contradicts the contract of customer “ACME”: basic (Basic)"
    )
    assert errors[4]["reason"] == "case “C-1” is already on line 1 of this batch"
    assert SupportCase.objects.count() == 0


def test_a_batch_with_deadlines_is_refused_whole(token_client, solution):
    """R5.4, R5.5: a partner never supplies a deadline: 30 cases answered a week late and sent
    with due times a week later store nothing."""
    rows = [
        case_row(
            solution,
            f"C-{n}",
            first_response_at="2026-11-20T17:00:00+03:00",
            response_due_at="2026-11-21T00:00:00+03:00",
        )
        for n in range(30)
    ]

    response = token_client.post("/api/v1/cases/", rows, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [
        (n, "response_due_at") for n in range(1, 31)
    ]
    assert errors[0]["reason"].startswith(
        "deadlines are not accepted: the portal computes them from the customer's SLA"
    )
    assert SupportCase.objects.count() == 0


def test_another_partners_solution_is_refused_and_nothing_is_stored(token_client, solution):
    foreign = SolutionFactory(slug="someone-elses")

    response = token_client.post(
        "/api/v1/cases/", [case_row(solution, "C-1"), case_row(foreign, "C-2")], format="json"
    )

    assert response.status_code == 400
    assert [(e["line"], e["column"]) for e in response.json()["errors"]] == [(2, "solution")]
    assert "someone-elses" in response.json()["errors"][0]["reason"]
    assert SupportCase.objects.count() == 0


def test_a_body_that_is_not_a_list_is_refused(token_client, solution):
    response = token_client.post("/api/v1/cases/", case_row(solution), format="json")

    assert response.status_code == 400
    assert "list" in response.json()["detail"]
    assert SupportCase.objects.count() == 0


def test_a_nul_character_is_refused_by_row_and_column(token_client, solution):
    # PostgreSQL cannot store one: without the check the batch answered 500.
    rows = [case_row(solution, "C-1"), case_row(solution, "C-2", customer="AC\x00ME")]

    response = token_client.post("/api/v1/cases/", rows, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"line": 2, "column": "customer", "reason": "contains a NUL character"}]
    }
    assert not SupportCase.objects.exists()


def test_unauthenticated_posts_get_401(solution):
    response = APIClient().post("/api/v1/cases/", [case_row(solution)], format="json")

    assert response.status_code == 401
    assert "detail" in response.json()
    assert SupportCase.objects.count() == 0


def test_a_user_outside_partners_gets_403(solution):
    api = APIClient()
    api.force_authenticate(UserFactory(analyst=True))

    response = api.post("/api/v1/nps/", [nps_row(solution)], format="json")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert NPSAnswer.objects.count() == 0


def test_nps_answers_are_stored(token_client, solution):
    response = token_client.post(
        "/api/v1/nps/", [nps_row(solution, "r1"), nps_row(solution, "r2", score=3)], format="json"
    )

    assert response.status_code == 201
    assert response.json() == {"created": 2, "updated": 0}
    answer = NPSAnswer.objects.get(solution=solution, respondent="r2")
    assert answer.score == 3 and answer.half_year == "2026-H2"


def test_a_bad_nps_row_is_listed_and_nothing_is_stored(token_client, solution):
    rows = [nps_row(solution, "r1"), nps_row(solution, "r2", score=11), nps_row(solution, "x")]

    response = token_client.post("/api/v1/nps/", rows, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(2, "score"), (3, "respondent")]
    assert errors[1]["reason"].startswith("“x” is not a customer of this solution")
    assert NPSAnswer.objects.count() == 0


def test_anyone_lists_published_solutions_filtered_by_the_badge():
    certified = CertificationFactory(solution__name="Alpha").solution
    CertificationFactory(solution__name="Beta", revoked=True)
    SolutionFactory(name="Gamma")
    SolutionFactory(name="Hidden", unpublished=True)
    api = APIClient()

    everything = api.get("/api/v1/solutions/").json()
    only_certified = api.get("/api/v1/solutions/?certified=true").json()
    not_certified = api.get("/api/v1/solutions/", {"certified": "false"}).json()

    assert {"count", "next", "previous", "results"} <= set(everything)
    assert [s["name"] for s in everything["results"]] == ["Alpha", "Beta", "Gamma"]
    assert only_certified["count"] == 1
    assert only_certified["results"] == [
        {
            "slug": certified.slug,
            "name": "Alpha",
            "partner": certified.partner.name,
            "certified": True,
        }
    ]
    assert [s["name"] for s in not_certified["results"]] == ["Beta", "Gamma"]


def test_a_bad_certified_filter_is_refused():
    response = APIClient().get("/api/v1/solutions/?certified=maybe")

    assert response.status_code == 400
    assert "certified" in response.json()
