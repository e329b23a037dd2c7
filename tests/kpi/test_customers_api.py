"""POST /api/v1/customers/: a partner's customers as a JSON list, all or nothing."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from kpi.models import Customer
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import PartnerFactory, SolutionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def customer_row(of, customer_id="ACME", version="1.4.0", active_until="2027-03-31", **values):
    return {
        "solution": of.slug,
        "customer_id": customer_id,
        "installed_version": version,
        "support_package": "business",
        "region": "emea",
        "active_until": active_until,
        **values,
    }


@pytest.fixture
def partner():
    return PartnerFactory()


@pytest.fixture
def solution(partner):
    return SolutionFactory(partner=partner, slug="telephony")


def test_a_good_batch_is_stored(token_client, solution):
    response = token_client.post(
        URL,
        [
            customer_row(solution, "ACME", contact_email="it@acme.example"),
            customer_row(solution, "Globex", active_until=None, support_package="premium"),
        ],
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {"created": 2, "updated": 0}
    assert list(
        Customer.objects.values_list(
            "customer_id",
            "installed_version",
            "support_package",
            "region",
            "active_until",
            "contact_email",
        )
    ) == [
        ("ACME", "1.4.0", "business", "emea", date(2027, 3, 31), "it@acme.example"),
        ("Globex", "1.4.0", "premium", "emea", None, ""),
    ]


def test_posting_again_updates_instead_of_duplicating(token_client, solution):
    CustomerFactory(solution=solution, customer_id="ACME", installed_version="1.3.0")

    response = token_client.post(
        URL,
        [customer_row(solution, "ACME", version="1.4.1"), customer_row(solution, "Initech")],
        format="json",
    )

    assert response.status_code == 201
    assert response.json() == {"created": 1, "updated": 1}
    assert Customer.objects.get(solution=solution, customer_id="ACME").installed_version == "1.4.1"
    assert Customer.objects.count() == 2


def test_bad_rows_are_listed_and_nothing_is_stored(token_client, solution):
    rows = [
        customer_row(solution, "ACME"),
        customer_row(solution, "Globex", active_until="next year"),
        customer_row(solution, "Initech", version="x" * 41),
        customer_row(solution, ""),
        customer_row(solution, "Hooli", support_package=""),
        customer_row(solution, "Stark", region="moon"),
    ]

    response = token_client.post(URL, rows, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "line": 2,
                "column": "active_until",
                "reason": "bad date “next year”: expected YYYY-MM-DD",
            },
            {
                "line": 3,
                "column": "installed_version",
                "reason": "longer than 40 characters",
            },
            {"line": 4, "column": "customer_id", "reason": "a value is required"},
            {"line": 5, "column": "support_package", "reason": "a value is required"},
            {
                "line": 6,
                "column": "region",
                "reason": "“moon” is not a region of this solution's marketplace: one of "
                "americas_east, americas_west, apac, emea",
            },
        ]
    }
    assert Customer.objects.count() == 0


def test_another_partners_solution_is_refused_and_nothing_is_stored(token_client, solution):
    foreign = SolutionFactory(slug="someone-elses")

    response = token_client.post(
        URL, [customer_row(solution, "ACME"), customer_row(foreign, "Globex")], format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "line": 2,
                "column": "solution",
                "reason": "no solution “someone-elses” of your organisation",
            }
        ]
    }
    assert Customer.objects.count() == 0


def test_an_anonymous_post_gets_401(solution):
    response = APIClient().post(URL, [customer_row(solution)], format="json")

    assert response.status_code == 401
    assert "detail" in response.json()
    assert Customer.objects.count() == 0


def test_a_user_outside_partners_gets_403(solution):
    api = APIClient()
    api.force_authenticate(UserFactory(analyst=True))

    response = api.post(URL, [customer_row(solution)], format="json")

    assert response.status_code == 403
    assert "detail" in response.json()
    assert Customer.objects.count() == 0
