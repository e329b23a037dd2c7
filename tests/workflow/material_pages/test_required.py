"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest

from tests.factories.workflow import actor
from tests.workflow.markup import find_all, texts
from tests.workflow.material_pages.helpers import K, awaiting, card_text, materials_url
from workflow.enums import ApplicationKind

pytestmark = pytest.mark.django_db


# --- What each request must provide ------------------------------------------------------


@pytest.mark.parametrize(
    ("uses_external_services", "requirement"),
    [(True, "Required: the solution uses external services"), (False, "Not required here")],
)
def test_external_services_material_follows_the_solution(
    client, uses_external_services, requirement
):
    """R3.4: material 6 is required exactly when the solution uses external services."""
    application = awaiting(solution__uses_external_services=uses_external_services)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    assert card_text(response, K.EXTERNAL_SERVICES, "requirement") == requirement
    missing = texts(find_all(response, data_testid="missing")[0], "li")
    assert ("6. External services" in missing) is uses_external_services


@pytest.mark.parametrize(
    ("kind", "requirement"),
    [
        (ApplicationKind.INITIAL, "Not required here"),
        (ApplicationKind.UPDATE, "Required for an update"),
        (ApplicationKind.CRITICAL_FIX, "Required for an update"),
    ],
)
def test_whats_new_is_required_only_for_updates(client, kind, requirement):
    """R3.5: What's new is required for an update (and a critical fix), not a first request."""
    application = awaiting(kind=kind)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    assert card_text(response, K.WHATS_NEW, "requirement") == requirement
    missing = texts(find_all(response, data_testid="missing")[0], "li")
    assert ("10. What's new" in missing) is (kind != ApplicationKind.INITIAL)
