"""Fixtures of the stage-5 tests."""

import pytest
from rest_framework.test import APIClient

from tests.factories.accounts import ApiTokenFactory, UserFactory


@pytest.fixture
def token_client(partner):
    """An API client holding the token of a member of `partner` (each module says which)."""
    user = UserFactory(role="Partner", partner=partner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).secret}")
    return api
