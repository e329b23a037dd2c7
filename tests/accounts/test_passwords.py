"""Passwords: at least 12 characters, reset by e-mail (English and Russian), and the current
password asked again before the password or the e-mail address changes."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_password_reset_by_e_mail_sets_a_new_password(client, settings):
    settings.SITE_URL = "https://portal.example"
    user = UserFactory(partner_member=True, email="dev@partner.example")

    client.post(reverse("password_reset"), {"email": "dev@partner.example"})
    link = reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-much-longer-secret-7", "new_password2": "a-much-longer-secret-7"},
        follow=True,
    )

    assert mail.outbox[0].to == ["dev@partner.example"]
    assert mail.outbox[0].subject == "Reset your password on the certification portal"
    assert "https://portal.example/accounts/password/reset/" in mail.outbox[0].body
    assert "Your new password is set." in done.text
    user.refresh_from_db()
    assert user.check_password("a-much-longer-secret-7")


def test_password_reset_is_in_russian(client):
    UserFactory(partner_member=True, email="dev@partner.example")

    page = client.get(reverse("password_reset"), HTTP_ACCEPT_LANGUAGE="ru")
    client.post(
        reverse("password_reset"), {"email": "dev@partner.example"}, HTTP_ACCEPT_LANGUAGE="ru"
    )

    assert "Сброс пароля" in page.text
    assert mail.outbox[0].subject == "Сброс пароля на портале сертификации"


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)

    assert "If an account uses the address you entered" in response.text
    assert mail.outbox == []


def test_password_reset_link_works_once(client):
    UserFactory(partner_member=True, email="dev@partner.example")
    client.post(reverse("password_reset"), {"email": "dev@partner.example"})
    link = reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    new = {"new_password1": "a-much-longer-secret-7", "new_password2": "a-much-longer-secret-7"}
    client.post(form.redirect_chain[-1][0], new)

    again = client.get(link, follow=True)

    assert "This link has expired or has been used already." in again.text


def test_password_shorter_than_twelve_characters_is_refused(client):
    user = UserFactory(partner_member=True)
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "secret-pass-1",
            "new_password1": "Xk7#pq2!vb",
            "new_password2": "Xk7#pq2!vb",
        },
    )

    assert response.status_code == 200
    assert "at least 12 characters" in response.text
    user.refresh_from_db()
    assert user.check_password("secret-pass-1")


def test_password_change_asks_for_the_current_password(client):
    user = UserFactory(partner_member=True)
    client.force_login(user)
    new = {"new_password1": "a-much-longer-secret-7", "new_password2": "a-much-longer-secret-7"}

    refused = client.post(reverse("password_change"), {"old_password": "guess", **new})
    accepted = client.post(reverse("password_change"), {"old_password": "secret-pass-1", **new})

    assert "Your old password was entered incorrectly" in refused.text
    assert accepted.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-longer-secret-7")


def test_e_mail_change_asks_for_the_current_password(client):
    user = UserFactory(partner_member=True, email="old@partner.example")
    client.force_login(user)

    refused = client.post(
        reverse("email_change"), {"email": "new@partner.example", "password": "guess"}
    )
    user.refresh_from_db()
    email_after_refusal = user.email
    accepted = client.post(
        reverse("email_change"),
        {"email": "new@partner.example", "password": "secret-pass-1"},
        follow=True,
    )

    assert refused.status_code == 400
    assert "The password is not correct. The e-mail address was not changed." in refused.text
    assert 'value="new@partner.example"' in refused.text  # what was typed is kept
    assert email_after_refusal == "old@partner.example"
    assert "Your e-mail address is changed." in accepted.text
    user.refresh_from_db()
    assert user.email == "new@partner.example"
