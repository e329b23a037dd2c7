"""The admin's material page: it opens for every staff role and offers the file through the
download view, which checks the reader's permission (the file itself has no URL)."""

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory
from workflow.enums import MaterialKind

from ..factories.workflow import MaterialFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["analyst", "leader", "rnd_expert", "auditor"])
def test_material_change_page_opens_and_links_the_download_view(client, role):
    material = MaterialFactory(kind=MaterialKind.PACKAGES, with_file=True)
    client.force_login(UserFactory(**{role: True}))

    page = client.get(reverse("admin:workflow_material_change", args=[material.pk]))
    link = reverse("material_download", args=[material.application_id, material.pk])
    download = client.get(link)

    assert page.status_code == 200
    assert f'href="{link}"' in page.text
    assert f"Download “{material.original_name}”" in page.text
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n% material\n"
