"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.factories.support_audit import (
    NonconformityFactory,
    RemediationItemFactory,
    RemediationPlanFactory,
    SupportAuditFactory,
)
from tests.workflow.markup import (
    find_all,
)
from tests.workflow.support_pages.helpers import under_audit, url

pytestmark = pytest.mark.django_db


# --- Query counts ---------------------------------------------------------------------------------


def _audits_of(application, count, analyst):
    """`count` audits, each with two nonconformities and a plan of two actions."""
    for number in range(count):
        audit = SupportAuditFactory(
            application=application,
            auditor=analyst,
            failed=True,
            held_on=timezone.localdate() - timedelta(days=count - number),
        )
        NonconformityFactory.create_batch(2, audit=audit)
        plan = RemediationPlanFactory(audit=audit, agreed_by=analyst)
        RemediationItemFactory.create_batch(2, plan=plan)


AUDIT_PAGE_QUERIES = 18


@pytest.mark.parametrize("count", [1, 3])
def test_audit_page_query_count_does_not_grow(client, django_assert_num_queries, analyst, count):
    application = under_audit()
    _audits_of(application, count, analyst)
    client.force_login(analyst)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(AUDIT_PAGE_QUERIES):
        response = client.get(url("support_audit", application))

    assert len(find_all(response, data_testid="audit")) == count
    assert len(find_all(response, data_testid="plan-item")) == 2 * count
