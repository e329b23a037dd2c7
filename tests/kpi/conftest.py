"""Fixtures of the stage-5 tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories.accounts import UserFactory


@pytest.fixture
def token_client(partner):
    """An API client holding the token of a member of `partner` (each module says which)."""
    user = UserFactory(role="Partner", partner=partner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api
