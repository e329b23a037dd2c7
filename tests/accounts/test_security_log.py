"""The security log: refused access to existing records and badges changed by hand."""

import pytest
from django.urls import reverse

from accounts.enums import SecurityEventKind
from accounts.models import SecurityEvent
from catalogue.badge import SYSTEM
from catalogue.badge import revoke as badge_revoke
from tests.factories.accounts import UserFactory

from ..factories.workflow import ApplicationFactory, CertificationFactory

pytestmark = pytest.mark.django_db


def test_refused_access_to_an_existing_record_is_logged(client):
    theirs = ApplicationFactory()
    outsider = UserFactory(partner_member=True)
    client.force_login(outsider)

    refused = client.get(reverse("application_detail", args=[theirs.pk]))
    missing = client.get(reverse("application_detail", args=[theirs.pk + 1000]))

    assert refused.status_code == missing.status_code == 404  # alike for the outsider
    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.target, event.detail) == (
        SecurityEventKind.ACCESS_REFUSED,
        outsider,
        f"application {theirs.pk}",
        "GET 404",
    )
    assert event.path == reverse("application_detail", args=[theirs.pk])


def test_refused_team_page_about_an_existing_solution_is_logged(client):
    certification = CertificationFactory()
    member = UserFactory(partner_member=True, partner=certification.solution.partner)
    client.force_login(member)

    response = client.get(reverse("badge_revoke", args=[certification.solution.slug]))

    assert response.status_code == 403
    assert SecurityEvent.objects.get().target == f"solution {certification.solution.slug}"


def test_badge_changed_by_hand_is_logged(client, on_commit):
    """A badge revoked by hand is in the security log with who and why."""
    certification = CertificationFactory(solution__slug="recorder")
    analyst = UserFactory(analyst=True)

    on_commit(badge_revoke, certification=certification, by=analyst, reason="KPIs missed")

    event = SecurityEvent.objects.get(kind=SecurityEventKind.BADGE_CHANGED)
    assert (event.user, event.target, event.detail) == (
        analyst,
        "solution recorder",
        "revoked: KPIs missed",
    )


def test_badge_revoked_by_the_job_is_not_a_manual_change(on_commit):
    certification = CertificationFactory()

    on_commit(badge_revoke, certification=certification, by=SYSTEM, reason="KPI missed")

    assert SecurityEvent.objects.count() == 0
