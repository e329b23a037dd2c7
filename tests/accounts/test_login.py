"""Log-in: lockout per account and per address, the lockout page, unlock in the admin, and the
security log of failures and lockouts."""

import logging

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from accounts.enums import SecurityEventKind
from accounts.models import SecurityEvent
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-1"


def log_in(client, username, password, *, url=None, address="198.51.100.7"):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_twenty_five_wrong_passwords_then_the_right_one_is_locked_out(client):
    UserFactory(partner_member=True, username="partner")
    for _attempt in range(25):
        log_in(client, "partner", "wrong-password-0")

    response = log_in(client, "partner", PASSWORD)

    assert response.status_code == 429
    assert "log-ins for this account or from this address are locked" in response.text
    assert "Try again in 30 minutes." in response.text
    assert "_auth_user_id" not in client.session


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client):
    UserFactory(partner_member=True, username="partner")
    for _attempt in range(3):
        log_in(client, "partner", "wrong-password-0")

    response = log_in(client, "partner", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_failed_log_in_says_so_and_keeps_the_user_name(client):
    UserFactory(partner_member=True, username="partner")

    response = log_in(client, "partner", "wrong-password-0")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert 'value="partner"' in response.text


def test_lockout_holds_per_address_across_user_names(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(partner_member=True, username="partner")
    for n in range(5):
        log_in(client, f"nobody{n}", "wrong-password-0", address="203.0.113.9")

    locked = log_in(client, "partner", PASSWORD, address="203.0.113.9")
    elsewhere = log_in(client, "partner", PASSWORD, address="203.0.113.10")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_lockout_holds_per_account_across_addresses(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(partner_member=True, username="partner")
    for n in range(5):
        log_in(client, "partner", "wrong-password-0", address=f"203.0.113.{n}")

    response = log_in(client, "partner", PASSWORD, address="192.0.2.200")

    assert response.status_code == 429


def test_admin_log_in_is_locked_out_too(client):
    UserFactory(analyst=True, username="analyst")
    admin_login = reverse("admin:login")
    for _attempt in range(10):
        log_in(client, "analyst", "wrong-password-0", url=admin_login)

    response = log_in(client, "analyst", PASSWORD, url=admin_login)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_lifts_after_the_cool_off(client, later):
    UserFactory(partner_member=True, username="partner")
    for _attempt in range(10):
        log_in(client, "partner", "wrong-password-0")

    later(31 * 60)
    response = log_in(client, "partner", PASSWORD)

    assert response.status_code == 302


def test_staff_unlock_an_account_in_the_admin(client):
    UserFactory(partner_member=True, username="partner")
    for _attempt in range(10):
        log_in(client, "partner", "wrong-password-0")
    analyst = UserFactory(analyst=True)
    staff = type(client)()
    staff.force_login(analyst)
    attempts = [a.pk for a in AccessAttempt.objects.filter(username="partner")]

    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    unlocked = staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_selected", "_selected_action": attempts},
        follow=True,
    )
    response = log_in(client, "partner", PASSWORD)

    assert listing.status_code == 200
    assert "partner" in listing.text
    assert "the log-in is unlocked" in unlocked.text
    assert len(attempts) == 1
    assert AccessAttempt.objects.filter(username="partner").count() == 0
    assert response.status_code == 302


def test_failures_and_the_lockout_are_in_the_security_log(client, caplog):
    UserFactory(partner_member=True, username="partner")

    with caplog.at_level(logging.INFO, logger="certportal.security"):
        for _attempt in range(10):
            log_in(client, "partner", "wrong-password-0")

    events = SecurityEvent.objects.filter(username="partner")
    assert events.filter(kind=SecurityEventKind.LOGIN_FAILED).count() == 10
    lockout = events.get(kind=SecurityEventKind.LOCKED_OUT)
    assert lockout.ip_address == "198.51.100.7"
    assert lockout.path == reverse("login")
    assert sum("login_failed user=partner" in r.getMessage() for r in caplog.records) == 10
    assert any("locked_out user=partner" in r.getMessage() for r in caplog.records)


def test_successful_log_in_is_logged(client, caplog):
    UserFactory(partner_member=True, username="partner")

    with caplog.at_level(logging.INFO, logger="certportal.security"):
        log_in(client, "partner", PASSWORD)

    assert [r.getMessage() for r in caplog.records if r.name == "certportal.security"] == [
        "login_succeeded user=partner address=198.51.100.7"
    ]


def test_security_log_is_readable_and_filterable_by_staff_in_the_admin(client):
    UserFactory(partner_member=True, username="partner")
    log_in(client, "partner", "wrong-password-0")
    staff = type(client)()
    staff.force_login(UserFactory(auditor=True))
    url = reverse("admin:accounts_securityevent_changelist")

    response = staff.get(url, {"kind__exact": SecurityEventKind.LOGIN_FAILED})
    change = staff.get(
        reverse("admin:accounts_securityevent_change", args=[SecurityEvent.objects.get().pk])
    )

    assert response.status_code == 200
    assert "partner" in response.text
    assert "Failed log-in" in response.text
    assert change.status_code == 200
    assert 'name="_save"' not in change.text  # read-only
