"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.urls import reverse

from tests.factories.workflow import MaterialFactory, actor
from tests.workflow.markup import alerts, by_testid, confirming, find_all, texts
from tests.workflow.material_pages.helpers import (
    ALL_REQUIRED,
    K,
    S,
    awaiting,
    materials_url,
    provide_everything,
)
from workflow.models import Application

pytestmark = pytest.mark.django_db


# --- Submitting for review ---------------------------------------------------------------


def test_submit_is_refused_with_the_missing_list_until_everything_is_there(client):
    """R3.3: the materials go to review only when every required one is provided."""
    application = awaiting(solution__uses_external_services=False)
    partner = actor("own_partner", application)
    client.force_login(partner)
    MaterialFactory(application=application, kind=K.USER_GUIDE)

    page = client.get(materials_url(application))
    refused = client.post(
        reverse("materials_submit", args=[application.pk]),
        confirming({"seen_state": S.AWAITING_MATERIALS}),
        follow=True,
    )

    assert by_testid(page, "progress") == "1 of 8 required materials provided."
    assert texts(find_all(page, data_testid="missing")[0], "li") == [
        label for label in ALL_REQUIRED if label != "3. User guide"
    ]
    (button,) = find_all(page, "button", data_testid="submit")
    assert ("disabled", None) in button.attributes
    assert alerts(refused) == ["Every required material must be provided first (R3.3–R3.5)."]
    assert Application.objects.get(pk=application.pk).state == S.AWAITING_MATERIALS


def test_submit_with_everything_provided_sends_the_materials_for_review(client, on_commit):
    """R3.3: with every required material provided, the partner submits them for review."""
    application = awaiting()
    partner = actor("own_partner", application)
    provide_everything(application, partner)
    client.force_login(partner)

    page = client.get(materials_url(application))
    response = on_commit(
        client.post,
        reverse("materials_submit", args=[application.pk]),
        confirming({"seen_state": S.AWAITING_MATERIALS, "comment": "All in."}),
        follow=True,
    )

    assert by_testid(page, "progress") == "8 of 8 required materials provided."
    assert find_all(page, data_testid="missing") == []
    (button,) = find_all(page, "button", data_testid="submit")
    assert "disabled" not in dict(button.attributes)
    assert alerts(response) == [
        "Materials submitted for review. The Marketplace team has been told."
    ]
    assert by_testid(response, "state") == "Materials submitted for review"
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED_FOR_REVIEW


def test_submit_after_someone_else_moved_the_request_is_refused(client):
    application = awaiting()
    partner = actor("own_partner", application)
    provide_everything(application, partner)
    client.force_login(partner)
    Application.objects.filter(pk=application.pk).update(state=S.WITHDRAWN)

    response = client.post(
        reverse("materials_submit", args=[application.pk]),
        confirming({"seen_state": S.AWAITING_MATERIALS}),
        follow=True,
    )

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Withdrawn”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN
