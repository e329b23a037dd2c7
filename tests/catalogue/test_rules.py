"""Who holds each of the catalogue's permissions (catalogue/rules.py and the models' rules)."""

import pytest

from catalogue.badge import SYSTEM

from ..factories.workflow import CertificationFactory, SolutionFactory
from ..rules_matrix import holds, matrix

pytestmark = pytest.mark.django_db

# Asked with the solution.       own  other analyst leader R&D auditor anonymous superuser sales
ON_A_SOLUTION = {
    "catalogue.view_solution":       "Y N Y Y Y Y N Y N",
    "catalogue.add_solution":        "Y Y N N N N N Y N",
    "catalogue.change_solution":     "Y N N N N N N Y N",
    "catalogue.add_solutionversion": "Y N N N N N N Y N",
    "catalogue.manage_badge":        "N N Y N N N N Y N",
    "catalogue.enforce_kpis":        "N N N N N N N Y N",
}  # fmt: skip

# Asked with the certification.   own  other analyst leader R&D auditor anonymous superuser sales
ON_A_CERTIFICATION = {
    "catalogue.view_certification":  "Y N Y Y Y Y N Y N",
}  # fmt: skip


@matrix(ON_A_SOLUTION)
def test_who_may_act_on_a_solution(permission, role, expected):
    solution = SolutionFactory()

    assert holds(role, permission, solution) is expected


@matrix(ON_A_CERTIFICATION)
def test_who_sees_a_certification(permission, role, expected):
    certification = CertificationFactory()

    assert holds(role, permission, certification, owner=certification.solution) is expected


def test_the_kpi_job_enforces_kpis():
    """The KPI job's own actor holds `catalogue.enforce_kpis`, which no role holds."""
    assert SYSTEM.has_perm("catalogue.enforce_kpis", SolutionFactory()) is True
