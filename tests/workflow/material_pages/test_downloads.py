"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.urls import reverse

from tests.factories.workflow import MaterialFactory, actor
from tests.workflow.markup import find_all, text
from tests.workflow.material_pages.helpers import NOT_FOUND, TEAM, K, awaiting, download_url

pytestmark = pytest.mark.django_db


# --- Downloads ---------------------------------------------------------------------------


def test_download_streams_the_file_as_an_attachment(client):
    material = MaterialFactory(kind=K.TEST_CASES, with_file=True, content=b"%PDF-1.4\nreport\n")
    client.force_login(actor("own_partner", material.application))

    response = client.get(download_url(material))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="test_cases-r1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4\nreport\n"


def test_download_of_another_partners_file_is_not_found(client):
    material = MaterialFactory(kind=K.TEST_CASES, with_file=True)
    client.force_login(actor("other_partner", material.application))

    response = client.get(download_url(material))

    assert response.status_code == 404
    assert text(find_all(response, "main")[0]) == NOT_FOUND


def test_download_of_a_material_under_another_request_id_is_not_found(client):
    theirs = MaterialFactory(kind=K.TEST_CASES, with_file=True)
    mine = awaiting()
    client.force_login(actor("own_partner", mine))

    response = client.get(reverse("material_download", args=[mine.pk, theirs.pk]))

    assert response.status_code == 404
    assert text(find_all(response, "main")[0]) == NOT_FOUND


@pytest.mark.parametrize("role", TEAM)
def test_download_by_the_team(client, role):
    material = MaterialFactory(kind=K.TEST_CASES, with_file=True, content=b"%PDF-1.4\nteam\n")
    client.force_login(actor(role))

    response = client.get(download_url(material))

    assert response["Content-Disposition"] == 'attachment; filename="test_cases-r1.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4\nteam\n"


def test_download_of_a_link_material_is_not_found(client):
    material = MaterialFactory(kind=K.VIDEO)
    client.force_login(actor("own_partner", material.application))

    response = client.get(download_url(material))

    assert response.status_code == 404
