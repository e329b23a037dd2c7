"""The API of a solution's certificate and badge (workflow/api_review.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.texts import KPI_FAILED
from tests.factories.accounts import UserFactory
from tests.factories.workflow import (
    CertificationEventFactory,
    CertificationFactory,
    SolutionFactory,
)

from .test_review_api import client_for

pytestmark = pytest.mark.django_db

Action = CertificationEvent.Action
FAILED = {
    "period": "2026-10",
    "failures": [
        {
            "kpi": "response_overdue_rate",
            "numerator": 3,
            "denominator": 40,
            "comparison": "at_most",
            "target": "0.01",
            "basis": "final",
        }
    ],
}


@pytest.fixture
def certification():
    """Certified a month ago, revoked by the KPI job yesterday."""
    certification = CertificationFactory(
        solution=SolutionFactory(slug="telephony"),
        revoked=True,
        since=timezone.now() - timedelta(days=30),
    )
    CertificationEventFactory(
        certification=certification,
        action=Action.GRANTED,
        status=CertificationStatus.CERTIFIED,
        reason="All stages passed.",
        at=timezone.now() - timedelta(days=30),
    )
    CertificationEventFactory(
        certification=certification,
        action=Action.REVOKED,
        status=CertificationStatus.REVOKED,
        actor=None,
        text_code=KPI_FAILED,
        text_params=FAILED,
        at=timezone.now() - timedelta(days=1),
    )
    return certification


def partner_of(certification):
    return UserFactory(role="Partner", partner=certification.solution.partner)


def test_the_certificate_has_its_version_state_and_history(certification):
    answer = client_for(partner_of(certification)).get("/api/v1/solutions/telephony/certificate/")

    body = answer.json()
    assert answer.status_code == 200
    assert body["version"] == certification.version.number
    assert (body["state"], body["badge_on"]) == ("revoked", False)
    assert body["request"] == certification.application_id
    assert [(e["action"], e["state"]) for e in body["history"]] == [
        ("granted", "certified"),
        ("revoked", "revoked"),
    ]
    assert body["history"][0]["reason"] == "All stages passed."
    assert body["history"][1]["by"] is None
    assert body["history"][1]["reason"].startswith("Cases overdue on response failed in 2026-10")


def test_the_history_reads_in_the_readers_language(certification):
    answer = client_for(partner_of(certification)).get(
        "/api/v1/solutions/telephony/certificate/", HTTP_ACCEPT_LANGUAGE="ru"
    )

    with translation.override("ru"):
        expected = CertificationEvent.objects.get(action=Action.REVOKED).reason_text
    revoked = answer.json()["history"][1]
    assert revoked["reason"] == expected
    assert not revoked["reason"].startswith("Cases overdue")


def test_the_history_is_listed_a_page_at_a_time_and_filtered_by_action(certification):
    client = client_for(partner_of(certification))
    url = "/api/v1/solutions/telephony/certificate/history/"

    every = client.get(url).json()
    revoked = client.get(url, {"action": "revoked"}).json()
    bad = client.get(url, {"action": "forgotten"})

    assert every["count"] == 2
    assert [e["action"] for e in every["results"]] == ["granted", "revoked"]
    assert [e["action"] for e in revoked["results"]] == ["revoked"]
    assert bad.status_code == 400
    assert list(bad.json()) == ["action"]


def test_a_solution_never_certified_has_no_certificate():
    solution = SolutionFactory()

    answer = client_for(UserFactory(analyst=True)).get(
        f"/api/v1/solutions/{solution.slug}/certificate/"
    )

    assert answer.status_code == 404
    assert "detail" in answer.json()


def test_the_badge_says_its_state_since_its_last_change_and_why(certification):
    """R7.1: a revoked badge reads as off, with why and since when."""
    answer = client_for(UserFactory(analyst=True)).get("/api/v1/solutions/telephony/badge/")

    body = answer.json()
    assert (body["state"], body["badge_on"]) == ("revoked", False)
    revoked = CertificationEvent.objects.get(action=Action.REVOKED)
    assert body["since"] == revoked.at.isoformat().replace("+00:00", "Z")
    assert body["reason"].startswith("Cases overdue on response failed in 2026-10")


def test_the_badge_of_a_solution_never_certified_is_off():
    solution = SolutionFactory()

    answer = client_for(UserFactory(role="Partner", partner=solution.partner)).get(
        f"/api/v1/solutions/{solution.slug}/badge/"
    )

    assert answer.json() == {
        "solution": solution.slug,
        "state": "not_certified",
        "state_label": "Not certified",
        "badge_on": False,
        "version": None,
        "since": None,
        "reason": "",
    }
