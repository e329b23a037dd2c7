"""Who may read the sales enablement pages (sales/rules.py)."""

import pytest

from ..factories.workflow import SolutionFactory
from ..rules_matrix import holds, matrix

pytestmark = pytest.mark.django_db

#                        own  other analyst leader R&D auditor anonymous superuser sales
SALES = {
    "sales.view_sales": "N N Y Y N N N Y Y",
}  # fmt: skip


@matrix(SALES)
def test_who_may_read_the_sales_pages(permission, role, expected):
    """R7.2: the sales staff, analysts, leaders and superusers read the sales pages; no
    partner, R&D expert or auditor."""
    assert holds(role, permission, None, owner=SolutionFactory()) is expected
