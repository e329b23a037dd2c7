"""The migration away from DRF's authtoken: keys issued in the admin keep working, stored as
hashes, and the table that held them in plain text is gone."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0005_api_tokens_and_security_log")


def test_authtoken_keys_become_hashed_tokens_and_the_plain_table_is_dropped():
    user = UserFactory(partner_member=True)
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [key, user.pk, "2026-01-01 00:00:00"],
        )

    migration.import_authtoken_keys(
        apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post("/api/v1/cases/", [], format="json")

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=user)
    assert key not in (token.digest, token.token_key)
    assert token.name == "Issued in the admin"
    assert response.status_code == 201
