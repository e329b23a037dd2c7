"""The workflow API's lists read a page in a fixed number of queries, whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from workflow.enums import ApplicationState
from workflow.services import apply_transition

from ..factories.accounts import ApiTokenFactory, UserFactory
from ..factories.workflow import ApplicationFactory, SolutionFactory, VersionFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).secret}")
    return client


def queries(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    return len(captured)


@pytest.mark.parametrize("role", ["partner", "analyst"])
def test_the_request_list_costs_the_same_at_5_and_50_rows(role):
    solution = SolutionFactory()
    user = (
        UserFactory(role="Partner", partner=solution.partner)
        if role == "partner"
        else UserFactory(analyst=True)
    )
    client = client_of(user)
    ApplicationFactory.create_batch(5, solution=solution, state=ApplicationState.SUBMITTED)
    at_5 = queries(client, "/api/v1/requests/", 5)
    ApplicationFactory.create_batch(45, solution=solution, state=ApplicationState.SUBMITTED)

    at_50 = queries(client, "/api/v1/requests/", 50)

    assert at_50 == at_5


def test_the_version_list_costs_the_same_at_5_and_50_rows():
    solution = SolutionFactory()
    client = client_of(UserFactory(role="Partner", partner=solution.partner))
    VersionFactory.create_batch(5, solution=solution)
    at_5 = queries(client, f"/api/v1/solutions/{solution.slug}/versions/", 5)
    VersionFactory.create_batch(45, solution=solution)

    at_50 = queries(client, f"/api/v1/solutions/{solution.slug}/versions/", 50)

    assert at_50 == at_5


def test_the_timeline_costs_the_same_at_5_and_50_entries():
    application = ApplicationFactory()
    partner = application.created_by
    client = client_of(partner)

    def edit(times):
        for n in range(times):
            application.motivation = f"Edit {n}"
            apply_transition(application, "edit_draft", by=partner, comment=f"Edit {n}.")

    edit(5)
    at_5 = queries(client, f"/api/v1/requests/{application.pk}/timeline/", 5)
    edit(45)

    at_50 = queries(client, f"/api/v1/requests/{application.pk}/timeline/", 50)

    assert at_50 == at_5
