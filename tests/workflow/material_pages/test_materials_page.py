"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.urls import reverse

from tests.factories.workflow import ApplicationFactory, MaterialFactory, actor
from tests.workflow.markup import by_testid, find_all, text, texts
from tests.workflow.material_pages.helpers import (
    NOT_FOUND,
    TEAM,
    K,
    S,
    awaiting,
    card_text,
    certified_solution,
    materials_url,
    package,
    stored_files,
)
from workflow.models import Application, Material

pytestmark = pytest.mark.django_db


# --- The materials page ------------------------------------------------------------------


def test_materials_page_lists_the_ten_materials_in_the_regulations_order(client):
    application = awaiting(solution__uses_external_services=False)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    assert texts(response, "h2", **{"class": "h6 mb-0"}) == [kind.label for kind in K]
    assert [card_text(response, kind, "requirement") for kind in K] == [
        "Required",
        "Required",
        "Required",
        "Required",
        "Required",
        "Not required here",
        "Required",
        "Required",
        "Required",
        "Not required here",
    ]
    assert card_text(response, K.PACKAGES, "help") == "One .gz package, or a .zip of .gz packages."
    assert card_text(response, K.PACKAGES, "latest") == "Nothing provided yet."
    assert card_text(response, K.WHATS_NEW, "latest") == (
        "Nothing provided; this request does not need it."
    )
    assert len(find_all(response, "form", data_testid="upload-form")) == 10


@pytest.mark.parametrize("role", TEAM)
def test_materials_page_is_read_only_for_the_team(client, role):
    application = awaiting()
    MaterialFactory(application=application, kind=K.USER_GUIDE, url="https://docs.example/guide")
    client.force_login(actor(role))

    response = client.get(materials_url(application))

    assert by_testid(response, "materials-intro") == "The partner's materials, read-only."
    assert find_all(response, "form", data_testid="upload-form") == []
    assert find_all(response, data_testid="submission") == []
    assert card_text(response, K.USER_GUIDE, "link") == "https://docs.example/guide"


def test_materials_page_is_read_only_for_the_partner_once_submitted(client):
    application = ApplicationFactory(state=S.SUBMITTED_FOR_REVIEW)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    assert by_testid(response, "materials-intro") == (
        "The request is “Materials submitted for review”: the materials are shown read-only. "
        "They can be changed while the request is “Approved, awaiting materials” or "
        "“Changes requested”."
    )
    assert find_all(response, "form", data_testid="upload-form") == []


def test_materials_page_of_another_partner_is_not_found(client):
    application = awaiting(solution__name="Their Secret Connector")
    client.force_login(actor("other_partner", application))

    response = client.get(materials_url(application))

    assert response.status_code == 404
    assert "Their Secret Connector" not in response.content.decode()


@pytest.mark.parametrize(
    "name",
    ["material_upload", "material_carry_over"],
)
def test_material_post_to_another_partners_request_is_not_found(client, storage_dir, name):
    application = awaiting()
    client.force_login(actor("other_partner", application))

    response = client.post(
        reverse(name, args=[application.pk, K.PACKAGES]),
        {"packages-file": package(), "reconfirm-packages-confirm": "on"},
    )

    assert response.status_code == 404
    assert text(find_all(response, "main")[0]) == NOT_FOUND
    assert Material.objects.count() == 0
    assert stored_files(storage_dir) == []


def test_update_page_of_another_partners_solution_is_not_found(client):
    certification, newer = certified_solution()
    client.force_login(actor("other_partner", certification.solution))

    response = client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"version": newer.pk, "motivation": "Mine now."},
    )

    assert response.status_code == 404
    assert Application.objects.filter(version=newer).count() == 0
