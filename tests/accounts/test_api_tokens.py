"""API tokens a partner manages on the profile page: named, with an expiry, shown once, stored
as a hash, listed and revoked; staff see them in the admin without the secret and revoke any."""

import re

import pytest
from django.urls import reverse
from knox.crypto import hash_token
from rest_framework.test import APIClient

from accounts.enums import SecurityEventKind
from accounts.models import ApiToken, SecurityEvent
from tests.factories.accounts import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def create_token(client, name="CRM export", days=90) -> str:
    response = client.post(reverse("token_create"), {"name": name, "days": days})
    assert response.status_code == 200
    return re.search(r'data-testid="new-token">([^<]+)<', response.text).group(1)


@pytest.fixture
def member(client):
    user = UserFactory(partner_member=True)
    client.force_login(user)
    return user


def test_partner_creates_uses_and_revokes_a_token(client, member):
    secret = create_token(client)
    used = api(secret).post("/api/v1/cases/", [], format="json")
    token = ApiToken.objects.get(user=member)

    revoked = client.post(reverse("token_revoke", args=[token.digest]), follow=True)
    refused = api(secret).post("/api/v1/cases/", [], format="json")

    assert used.status_code == 201
    assert used.json() == {"created": 0, "updated": 0}
    assert "The token “CRM export” is revoked." in revoked.text
    assert ApiToken.objects.filter(user=member).count() == 0
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}


def test_token_is_stored_only_as_a_hash(client, member):
    secret = create_token(client)

    token = ApiToken.objects.get(user=member)
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert token.digest == hash_token(secret)
    assert not any(secret in value for value in stored)
    assert token.token_key == secret[:15]


def test_token_is_shown_once(client, member):
    secret = create_token(client, name="Nightly")

    page = client.get(reverse("profile"))

    assert "Nightly" in page.text
    assert secret not in page.text
    assert f"{secret[:15]}…" in page.text


def test_token_expires_after_the_chosen_period(client, member, later):
    secret = create_token(client, days=30)

    later(29 * 24 * 3600)
    before = api(secret).post("/api/v1/cases/", [], format="json")
    later(2 * 24 * 3600)
    after = api(secret).post("/api/v1/cases/", [], format="json")

    assert before.status_code == 201
    assert after.status_code == 401


def test_token_without_a_name_is_refused_with_the_reason(client, member):
    response = client.post(reverse("token_create"), {"name": "", "days": 90})

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert ApiToken.objects.count() == 0


def test_token_validity_beyond_the_maximum_is_refused(client, member):
    response = client.post(reverse("token_create"), {"name": "Forever", "days": 3650})

    assert response.status_code == 400
    assert "Select a valid choice." in response.text
    assert ApiToken.objects.count() == 0


def test_member_cannot_revoke_another_members_token(client, member):
    other = ApiTokenFactory()

    response = client.post(reverse("token_revoke", args=[other.digest]))

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=other.pk).exists()


def test_team_member_has_no_tokens_section(client):
    client.force_login(UserFactory(analyst=True))

    response = client.post(reverse("token_create"), {"name": "x", "days": 30})
    page = client.get(reverse("profile"))

    assert ApiToken.objects.count() == 0
    assert "API tokens" not in page.text
    assert response.status_code == 302


def test_creation_and_revocation_are_in_the_security_log(client, member):
    create_token(client, name="CRM export")
    token = ApiToken.objects.get(user=member)
    client.post(reverse("token_revoke", args=[token.digest]))

    events = SecurityEvent.objects.order_by("pk")
    assert [(e.kind, e.username, e.target) for e in events] == [
        (SecurityEventKind.TOKEN_CREATED, member.username, f"token {token.token_key}"),
        (SecurityEventKind.TOKEN_REVOKED, member.username, f"token {token.token_key}"),
    ]


def test_admin_lists_tokens_without_their_secret(client):
    token = ApiTokenFactory(name="Nightly")
    client.force_login(UserFactory(analyst=True))

    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    change = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))

    assert listing.status_code == 200
    assert "Nightly" in listing.text
    assert token.secret not in listing.text
    assert change.status_code == 200
    assert token.secret not in change.text


def test_staff_revoke_any_token_in_the_admin(client):
    token = ApiTokenFactory(name="Leaked")
    analyst = UserFactory(analyst=True)
    client.force_login(analyst)

    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    refused = api(token.secret).post("/api/v1/cases/", [], format="json")

    assert ApiToken.objects.count() == 0
    assert refused.status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert event.username == analyst.username


@pytest.mark.parametrize("count", [1, 3])
def test_profile_query_count_does_not_grow(client, member, django_assert_num_queries, count):
    for _ in range(count):
        ApiTokenFactory(user=member)

    with django_assert_num_queries(5):
        response = client.get(reverse("profile"))

    assert response.text.count("Revoke</button>") == count
