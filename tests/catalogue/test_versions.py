"""A version is written as it is published: numbers and dots, maybe a pre-release part."""

import pytest
from django.core.exceptions import ValidationError

from catalogue.models import SolutionVersion
from tests.factories.workflow import SolutionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", ["1", "1.4", "1.4.0", "10.0.1.7", "2.0.1-rc1", "3.1.0+build.5"])
def test_published_version_numbers_are_accepted(number):
    SolutionVersion(solution=SolutionFactory(), number=number).full_clean()


@pytest.mark.parametrize(
    "number", ["not a version!", "v1.2", "1..2", "1.2.", ".5", "1.2.3.4.5", "1.0 beta"]
)
def test_anything_else_is_refused_beside_the_field(number):
    with pytest.raises(ValidationError) as refused:
        SolutionVersion(solution=SolutionFactory(), number=number).full_clean()

    assert refused.value.message_dict == {
        "number": [
            "Write the version as it is published: numbers and dots, e.g. 1.4.0, or 2.0.1-rc1."
        ]
    }
