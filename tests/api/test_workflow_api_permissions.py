"""Who may read and write what through the workflow's API, role by role and endpoint by
endpoint: a partner its own organisation's records (another's reads as missing), the
Marketplace team every record and only its role's transitions, the public nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from workflow.enums import ApplicationState
from workflow.models import Application

from ..factories.accounts import ApiTokenFactory
from ..factories.workflow import (
    ApplicationFactory,
    SolutionFactory,
    VersionFactory,
    actor,
)

pytestmark = pytest.mark.django_db

ROLES = ("own_partner", "other_partner", "analyst", "leader", "rnd_expert", "anonymous")

# The status each role gets, in the order of ROLES.
MATRIX = {
    "read the solution": "200 404 200 200 200 401",
    "list its versions": "200 404 200 200 200 401",
    "list the requests": "200 200 200 200 200 401",
    "read the request": "200 404 200 200 200 401",
    "read its timeline": "200 404 200 200 200 401",
    "list its transitions": "200 404 200 200 200 401",
    "register a solution": "201 201 403 403 403 401",
    "register a version": "201 404 403 403 403 401",
    "file a request": "201 400 403 403 403 401",
    "submit the draft": "200 404 403 403 403 401",
    "schedule the meeting": "403 404 200 403 403 401",
    "withdraw": "200 404 403 403 403 401",
}

MEETING = {"scheduled_for": "2026-11-25T10:00:00Z", "location": "https://meet.example/a"}


@pytest.fixture
def records():
    solution = SolutionFactory(slug="nw-calendar")
    VersionFactory(solution=solution, number="3.0.0")
    draft = ApplicationFactory(solution=solution)
    submitted = ApplicationFactory(solution=solution, state=ApplicationState.SUBMITTED)
    return solution, draft, submitted


def call(client, what: str, draft, submitted):
    transitions = "/api/v1/requests/{}/transitions/{}/"
    return {
        "read the solution": lambda: client.get("/api/v1/solutions/nw-calendar/"),
        "list its versions": lambda: client.get("/api/v1/solutions/nw-calendar/versions/"),
        "list the requests": lambda: client.get("/api/v1/requests/"),
        "read the request": lambda: client.get(f"/api/v1/requests/{draft.pk}/"),
        "read its timeline": lambda: client.get(f"/api/v1/requests/{draft.pk}/timeline/"),
        "list its transitions": lambda: client.get(f"/api/v1/requests/{draft.pk}/transitions/"),
        "register a solution": lambda: client.post(
            "/api/v1/solution-registrations/",
            {"name": "New one", "slug": "new-one", "category": "Mail"},
            format="json",
        ),
        "register a version": lambda: client.post(
            "/api/v1/solutions/nw-calendar/versions/", {"number": "3.1.0"}, format="json"
        ),
        "file a request": lambda: client.post(
            "/api/v1/requests/",
            {"solution": "nw-calendar", "version": "3.0.0", "motivation": "Asked for."},
            format="json",
        ),
        "submit the draft": lambda: client.post(transitions.format(draft.pk, "submit")),
        "schedule the meeting": lambda: client.post(
            transitions.format(submitted.pk, "schedule_meeting"), MEETING, format="json"
        ),
        "withdraw": lambda: client.post(
            transitions.format(submitted.pk, "withdraw"), {"comment": "Not now."}, format="json"
        ),
    }[what]()


def client_of(user, *, session=False) -> APIClient:
    client = APIClient()
    if user.is_anonymous:
        return client
    if session:
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).secret}")
    return client


CASES = [
    pytest.param(what, role, int(expected), id=f"{what}-{role}")
    for what, row in MATRIX.items()
    for role, expected in zip(ROLES, row.split(), strict=True)
]


@pytest.mark.parametrize(("what", "role", "expected"), CASES)
def test_each_role_gets_what_the_matrix_says(records, what, role, expected):
    solution, draft, submitted = records
    client = client_of(actor(role, solution))

    response = call(client, what, draft, submitted)

    assert response.status_code == expected, response.json()
    assert response["Content-Type"] == "application/json"
    if expected >= 400:
        assert response.json()  # a reason, never an empty body


@pytest.mark.parametrize("role", ["analyst", "leader"])
@pytest.mark.parametrize("what", ["read the request", "schedule the meeting", "withdraw"])
def test_the_team_signed_in_on_the_portal_gets_what_its_token_gets(records, role, what):
    _solution, draft, submitted = records
    expected = int(MATRIX[what].split()[ROLES.index(role)])

    response = call(client_of(actor(role), session=True), what, draft, submitted)

    assert response.status_code == expected, response.json()


@pytest.mark.parametrize("role", ROLES)
def test_a_list_holds_only_what_the_role_may_see(records, role):
    solution, draft, submitted = records
    ApplicationFactory(state=ApplicationState.IN_REVIEW)  # another partner's
    client = client_of(actor(role, solution))

    response = client.get("/api/v1/requests/")

    seen = {row["id"] for row in response.json().get("results", [])}
    everyone = set(Application.objects.values_list("pk", flat=True))
    expected = {
        "own_partner": {draft.pk, submitted.pk},
        "other_partner": set(),
        "anonymous": set(),
    }.get(role, everyone)
    assert seen == expected


def test_a_refused_step_writes_nothing(records):
    """R2.1: a partner cannot take the team's steps, not even through the API."""
    solution, _draft, submitted = records
    client = client_of(actor("own_partner", solution))

    response = client.post(
        f"/api/v1/requests/{submitted.pk}/transitions/schedule_meeting/",
        {"scheduled_for": (timezone.now() + timedelta(days=1)).isoformat(), "location": "x"},
        format="json",
    )

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    assert not hasattr(submitted, "meeting") or submitted.meeting is None
