"""Who holds each of the KPI permissions (kpi/rules.py)."""

import pytest

from ..factories.workflow import SolutionFactory
from ..rules_matrix import holds, matrix

pytestmark = pytest.mark.django_db

# Asked with the solution.        own  other analyst leader R&D auditor anonymous superuser sales
ON_A_SOLUTION = {
    "kpi.view_kpis":               "Y N Y Y Y Y N Y N",
    "kpi.import_data":             "Y N N N N N N Y N",
    "kpi.reopen_month":            "N N Y N N N N Y N",
}  # fmt: skip

# Asked with nothing.             own  other analyst leader R&D auditor anonymous superuser sales
WITHOUT_A_RECORD = {
    "kpi.use_api":                 "Y Y N N N N N Y N",
    "kpi.run_surveys":             "N N Y N N N N Y N",
}  # fmt: skip


@matrix(ON_A_SOLUTION)
def test_who_may_see_and_feed_a_solutions_kpis(permission, role, expected):
    solution = SolutionFactory()

    assert holds(role, permission, solution) is expected


@matrix(WITHOUT_A_RECORD)
def test_who_may_use_the_api_and_run_surveys(permission, role, expected):
    assert holds(role, permission, None, owner=SolutionFactory()) is expected
