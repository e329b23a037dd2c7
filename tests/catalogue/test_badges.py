"""The public badge the showcase reads, and the catalogue of certified solutions (R7.1)."""

import pytest
from django.urls import reverse

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from tests.workflow.markup import find_all, texts

from ..factories.workflow import CertificationFactory, SolutionFactory

pytestmark = pytest.mark.django_db


def test_badge_of_a_solution_never_certified_says_not_certified(client):
    solution = SolutionFactory(slug="plain-solution", name="Plain Solution")

    response = client.get(reverse("badge_json", args=["plain-solution"]))

    assert response.json() == {
        "solution": "plain-solution",
        "name": "Plain Solution",
        "certified": False,
        "status": "not_certified",
        "certified_version": None,
        "since": None,
        "reason": None,
    }
    assert solution.pk


def test_badge_of_a_certified_solution_is_on_with_its_version(client):
    """R7.1: a certified solution shows the "Certified" badge."""
    certification = CertificationFactory(solution__slug="good-one")

    body = client.get(reverse("badge_json", args=["good-one"])).json()

    assert (body["certified"], body["status"], body["certified_version"], body["since"]) == (
        True,
        "certified",
        certification.version.number,
        certification.since.date().isoformat(),
    )


def test_badge_of_a_revoked_solution_is_off_and_gives_the_reason(client):
    """R7.1: a revoked solution does not show the badge."""
    certification = CertificationFactory(solution__slug="lapsed", revoked=True)
    CertificationEvent.objects.create(
        certification=certification,
        action=CertificationEvent.Action.REVOKED,
        status=CertificationStatus.REVOKED,
        version=certification.version,
        reason="CSAT positive share 61 % in 2026-10 (target 80 %).",
    )

    body = client.get(reverse("badge_json", args=["lapsed"])).json()

    assert (body["certified"], body["status"], body["reason"]) == (
        False,
        "revoked",
        "CSAT positive share 61 % in 2026-10 (target 80 %).",
    )


def test_badge_at_risk_stays_on(client):
    CertificationFactory(solution__slug="shaky", at_risk=True)

    body = client.get(reverse("badge_json", args=["shaky"])).json()

    assert (body["certified"], body["status"]) == (True, "at_risk")


def test_badge_svg_draws_the_state(client):
    CertificationFactory(solution__slug="drawn")

    response = client.get(reverse("badge_svg", args=["drawn"]))

    assert response["Content-Type"] == "image/svg+xml"
    assert "✓ Certified" in response.content.decode()


@pytest.mark.parametrize("slug", ["unknown", "unpublished"])
def test_badge_of_an_unknown_or_unpublished_solution_is_not_found(client, slug):
    SolutionFactory(slug="unpublished", unpublished=True)

    response = client.get(reverse("badge_json", args=[slug]))

    assert response.status_code == 404


def test_catalogue_lists_only_solutions_with_the_badge_on(client):
    """R7.1: the showcase lists certified solutions; a revoked one disappears."""
    CertificationFactory(solution__name="Alpha Sync")
    CertificationFactory(solution__name="Beta Forms", at_risk=True)
    CertificationFactory(solution__name="Gamma Old", revoked=True)

    page = client.get(reverse("catalogue"))

    cards = find_all(page, data_testid="certified-solution")
    assert [texts(card, "h2")[0] for card in cards] == ["Alpha Sync", "Beta Forms"]


def test_svg_badge_has_a_strict_policy(client):
    """The badge image loads and runs nothing, even opened on its own."""
    CertificationFactory(solution__slug="drawn")

    response = client.get(reverse("badge_svg", args=["drawn"]))

    assert response.status_code == 200
    directives = {part.strip() for part in response["Content-Security-Policy"].split(";")}
    assert directives == {"default-src 'none'", "frame-ancestors 'none'"}
    assert response["Content-Type"] == "image/svg+xml"
