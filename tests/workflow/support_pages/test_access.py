"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

import pytest
from django.urls import reverse

from support_audit.models import (
    RemediationItem,
)
from tests.factories.support_audit import (
    RemediationItemFactory,
    SupportDeclarationFactory,
)
from tests.factories.workflow import ApplicationFactory, actor
from tests.workflow.markup import find_all, text, texts
from tests.workflow.support_pages.helpers import NOT_FOUND, S, declaration_data, url
from workflow.models import Application

pytestmark = pytest.mark.django_db


# --- Who sees the pages ---------------------------------------------------------------------------

PAGES = ["support_declaration", "support_audit", "support_remediation"]


@pytest.mark.parametrize("name", PAGES)
def test_another_partner_gets_not_found_on_every_stage_four_page(client, name):
    application = ApplicationFactory(state=S.REMEDIATION)
    RemediationItemFactory(plan__audit__application=application)
    SupportDeclarationFactory(application=application)
    client.force_login(actor("other_partner", application))

    response = client.get(url(name, application))

    assert (response.status_code, text(find_all(response, "main")[0])) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("support_declaration", {}),
        ("support_declaration_submit", {}),
        ("support_item_done", {"item_pk": 0}),
        ("support_reaudit", {}),
    ],
)
def test_another_partner_cannot_write_on_the_stage_four_pages(client, name, kwargs):
    application = ApplicationFactory(state=S.REMEDIATION)
    item = RemediationItemFactory(plan__audit__application=application)
    SupportDeclarationFactory(application=application)
    client.force_login(actor("other_partner", application))
    kwargs = dict.fromkeys(kwargs, item.pk)

    response = client.post(url(name, application, **kwargs), declaration_data(application))

    assert (response.status_code, text(find_all(response, "main")[0])) == (404, NOT_FOUND)
    assert RemediationItem.objects.get(pk=item.pk).done_at is None
    assert Application.objects.get(pk=application.pk).state == S.REMEDIATION


@pytest.mark.parametrize(
    ("role", "state", "links"),
    [
        ("own_partner", S.QUALITY_PASSED, ["Support standards", "Remediation"]),
        ("analyst", S.SUPPORT_REVIEW, ["Support standards", "Support audit", "Remediation"]),
        ("auditor", S.CERTIFIED, None),
        ("analyst", S.IN_REVIEW, None),
    ],
)
def test_request_page_links_to_the_stage_four_pages(client, role, state, links):
    application = ApplicationFactory(state=state)
    client.force_login(actor(role, application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    found = find_all(response, data_testid="support-links")
    assert [texts(node, "a") for node in found] == ([links] if links else [])
