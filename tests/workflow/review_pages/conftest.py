"""The reviewers of the DoD review page tests."""

import pytest

from tests.factories.accounts import UserFactory


@pytest.fixture
def analyst():
    return UserFactory(analyst=True, first_name="Anna", last_name="Analyst")


@pytest.fixture
def rnd_expert():
    return UserFactory(rnd_expert=True, first_name="Roman", last_name="Expert")
