"""Who holds each of stage 3's permissions (dod/rules.py), asked with the request."""

import pytest

from ..factories.workflow import ApplicationFactory
from ..rules_matrix import holds, matrix

pytestmark = pytest.mark.django_db

#                                 own  other analyst leader R&D auditor anonymous superuser sales
ON_A_REQUEST = {
    "dod.run_quality_review":      "N N Y N N N N Y N",
    "dod.check_criteria":          "N N Y N Y N N Y N",
    "dod.answer_finding":          "Y N N N N N N Y N",
}  # fmt: skip


@matrix(ON_A_REQUEST)
def test_who_may_act_in_the_quality_review(permission, role, expected):
    application = ApplicationFactory()

    assert holds(role, permission, application) is expected


@matrix({
    "dod.check_integration":       "N N N N Y N N Y N",
})  # fmt: skip
def test_only_rnd_experts_check_the_integration_criteria(permission, role, expected):
    """DoD 9–10: the integration criteria are checked by R&D experts only."""
    application = ApplicationFactory()

    assert holds(role, permission, application) is expected
