"""Fixtures of the tests of the stage-4 request pages."""

import pytest

from tests.factories.accounts import UserFactory


@pytest.fixture
def analyst():
    return UserFactory(analyst=True, first_name="Anna", last_name="Analyst")
