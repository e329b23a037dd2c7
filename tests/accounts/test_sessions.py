"""Sessions: an idle timeout by role and an absolute lifetime, counted on the server."""

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

MINUTE = 60


def signed_in(client, user):
    client.force_login(user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    return client


@pytest.mark.parametrize("role", ["analyst", "leader", "rnd_expert", "auditor"])
def test_staff_session_ends_after_thirty_idle_minutes(client, later, role):
    signed_in(client, UserFactory(**{role: True}))

    later(31 * MINUTE)
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('profile')}"
    assert "_auth_user_id" not in client.session


def test_staff_session_used_every_twenty_minutes_stays_open(client, later):
    signed_in(client, UserFactory(analyst=True))

    for _visit in range(4):
        later(20 * MINUTE)
        response = client.get(reverse("profile"))

        assert response.status_code == 200


def test_partner_session_stays_open_through_an_idle_hour(client, later):
    signed_in(client, UserFactory(partner_member=True))

    later(60 * MINUTE)
    response = client.get(reverse("profile"))

    assert response.status_code == 200


def test_partner_session_ends_after_a_working_day_idle(client, later):
    signed_in(client, UserFactory(partner_member=True))

    later(8 * 60 * MINUTE + MINUTE)
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_idle_timeouts_come_from_settings(client, later, settings):
    settings.SESSION_IDLE_TIMEOUT_PARTNER = 5 * MINUTE
    signed_in(client, UserFactory(partner_member=True))

    later(6 * MINUTE)
    response = client.get(reverse("profile"))

    assert response.status_code == 302


def test_session_ends_at_its_absolute_lifetime_however_busy(client, later):
    signed_in(client, UserFactory(partner_member=True))

    for _hour in range(12):
        later(60 * MINUTE)
        client.get(reverse("profile"))
    later(MINUTE)
    response = client.get(reverse("profile"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_expired_session_says_why_after_log_in_page(client, later):
    signed_in(client, UserFactory(analyst=True))

    later(31 * MINUTE)
    response = client.get(reverse("profile"), follow=True)

    assert "Your session has expired. Log in again." in response.text
