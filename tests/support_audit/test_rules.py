"""Who holds each of stage 4's permissions (support_audit/rules.py): asked with the request
in stage 4 and with the certified solution in a regular audit."""

import pytest

from ..factories.workflow import ApplicationFactory, SolutionFactory
from ..rules_matrix import holds, matrix

pytestmark = pytest.mark.django_db

#                                    own  other analyst leader R&D auditor anonymous superuser sales
ON_A_REQUEST_OR_SOLUTION = {
    "support_audit.run_support_audit": "N N Y N N Y N Y N",
    "support_audit.agree_plan":        "N N Y N N Y N Y N",
    "support_audit.declare_support":   "Y N N N N N N Y N",
    "support_audit.mark_item_done":    "Y N Y N N Y N Y N",
}  # fmt: skip

WITHOUT_A_RECORD = {
    "support_audit.view_audits_due":   "N N Y Y Y Y N Y N",
}  # fmt: skip


@matrix(ON_A_REQUEST_OR_SOLUTION)
def test_who_may_act_in_a_stage_four_audit(permission, role, expected):
    application = ApplicationFactory()

    assert holds(role, permission, application) is expected


@matrix(ON_A_REQUEST_OR_SOLUTION)
def test_who_may_act_in_a_regular_audit(permission, role, expected):
    solution = SolutionFactory()

    assert holds(role, permission, solution) is expected


@matrix(WITHOUT_A_RECORD)
def test_who_sees_the_audits_due(permission, role, expected):
    assert holds(role, permission, None, owner=SolutionFactory()) is expected
