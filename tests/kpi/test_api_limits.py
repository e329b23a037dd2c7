"""The API's limits and errors: throttles per token and per user, a row cap per batch, a body
limit, and JSON for every error status."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from certportal.views import server_error
from kpi.models import SupportCase
from tests.factories.accounts import ApiTokenFactory, UserFactory

from ..factories.workflow import PartnerFactory, SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return PartnerFactory()


def with_token(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.secret}")
    return client


def test_rapid_posts_are_throttled_with_json_429_and_retry_after(settings, token_client):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "5/min", "user": "100/min", "anon": "5/min"},
    }
    answers = [token_client.post("/api/v1/cases/", [], format="json") for _ in range(6)]

    assert [a.status_code for a in answers] == [201] * 5 + [429]
    assert answers[-1]["Content-Type"] == "application/json"
    assert answers[-1].json()["detail"].startswith("Request was throttled.")
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


def test_throttle_counts_per_token(settings, partner):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/min", "user": "100/min", "anon": "5/min"},
    }
    user = UserFactory(partner_member=True, partner=partner)
    first, second = with_token(ApiTokenFactory(user=user)), with_token(ApiTokenFactory(user=user))

    spent = [first.post("/api/v1/cases/", [], format="json").status_code for _ in range(3)]
    other = second.post("/api/v1/cases/", [], format="json")

    assert spent == [201, 201, 429]
    assert other.status_code == 201


def test_throttle_counts_per_user_across_tokens(settings, partner):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100/min", "user": "3/min", "anon": "5/min"},
    }
    user = UserFactory(partner_member=True, partner=partner)
    clients = [with_token(ApiTokenFactory(user=user)) for _ in range(4)]

    answers = [c.post("/api/v1/cases/", [], format="json").status_code for c in clients]

    assert answers == [201, 201, 201, 429]


def test_anonymous_reads_are_throttled_per_address(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100/min", "user": "100/min", "anon": "2/min"},
    }
    client = APIClient()

    answers = [client.get("/api/v1/solutions/").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_the_throttle_window_passes(settings, token_client, later):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1/min", "user": "100/min", "anon": "5/min"},
    }
    token_client.post("/api/v1/cases/", [], format="json")

    later(61)
    response = token_client.post("/api/v1/cases/", [], format="json")

    assert response.status_code == 201


def test_batch_over_the_row_cap_is_refused_with_413_and_nothing_stored(
    settings, token_client, partner
):
    settings.API_MAX_ROWS_PER_BATCH = 3
    solution = SolutionFactory(partner=partner)
    rows = [
        {"solution": solution.slug, "case_id": f"C-{n}", "support_package": "basic",
         "registered_at": "2026-11-13T16:00:00+03:00"}
        for n in range(4)
    ]  # fmt: skip

    response = token_client.post("/api/v1/cases/", rows, format="json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "A batch holds at most 3 rows; this one has 4. "
        "Nothing was stored: send it in smaller batches."
    }
    assert SupportCase.objects.count() == 0


def test_body_over_the_limit_is_refused_with_json_413(settings, token_client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps([{"case_id": "x" * 100}] * 20)

    response = token_client.post("/api/v1/cases/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than 1000\xa0bytes. Send smaller batches."
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nothing-here/", 404),
        ("post", "/api/v1/nothing-here/", 404),
        ("get", "/api/v2/", 404),
        ("get", "/api/v1/cases/", 401),
        ("delete", "/api/v1/solutions/", 405),
        ("post", "/api/v1/cases/", 401),
        ("get", "/api/v1/solutions/?certified=maybe", 400),
    ],
)
def test_every_api_error_is_json(method, path, status):
    response = getattr(Client(), method)(path)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json(), dict)


def test_team_member_sending_data_gets_json_403():
    client = APIClient()
    client.force_authenticate(UserFactory(analyst=True))

    response = client.post("/api/v1/cases/", [], format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only members of a partner organisation may send data."}


def test_malformed_json_gets_json_400(token_client):
    response = token_client.post("/api/v1/cases/", "[{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_server_error_under_the_api_is_json(rf):
    response = server_error(rf.get("/api/v1/cases/"))

    assert response.status_code == 500
    assert json.loads(response.content) == {
        "detail": "Something went wrong on our side. Try again later."
    }


def test_session_post_without_csrf_token_gets_json_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(partner_member=True))

    response = client.post("/api/v1/cases/", "[]", content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "CSRF" in response.json()["detail"]
