"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import gzip
import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from tests.factories.workflow import (
    ApplicationFactory,
    actor,
)
from tests.workflow.markup import (
    alerts,
    attr,
    errors,
    field_value,
    find_all,
    text,
    texts,
)
from tests.workflow.material_pages.helpers import (
    K,
    S,
    awaiting,
    card,
    card_text,
    download_url,
    materials_url,
    package,
    stored_files,
    upload_url,
)
from workflow.models import Material

pytestmark = pytest.mark.django_db


# --- Uploads -----------------------------------------------------------------------------


def test_upload_valid_package_creates_revision_1(client, storage_dir):
    application = awaiting()
    partner = actor("own_partner", application)
    partner.first_name, partner.last_name = "Nina", "Partner"
    partner.save()
    client.force_login(partner)
    upload = package()
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)

    response = client.post(
        upload_url(application, K.PACKAGES),
        {"packages-file": upload, "packages-note": "First cut."},
        follow=True,
    )

    assert response.redirect_chain == [(f"{materials_url(application)}#material-packages", 302)]
    assert alerts(response) == ["1. Solution packages: revision 1 added."]
    material = Material.objects.get(application=application, kind=K.PACKAGES)
    size = filesizeformat(material.size).replace("\xa0", " ")
    assert card_text(response, K.PACKAGES, "status") == "Provided"
    assert card_text(response, K.PACKAGES, "latest").startswith(
        f"Revision 1 · package.gz ({size}) · SHA-256 {digest[:12]} by Nina Partner,"
    )
    assert card_text(response, K.PACKAGES, "latest").endswith("First cut.")
    assert (material.revision, material.sha256, material.content_kind) == (1, digest, "gzip")
    assert stored_files(storage_dir) == [material.file.name]


def test_upload_second_package_adds_revision_2_and_keeps_revision_1(client, storage_dir):
    application = awaiting()
    client.force_login(actor("own_partner", application))
    first, second = package(payload=b"first " * 100), package(payload=b"second " * 100)
    first_bytes = first.read()
    first.seek(0)
    client.post(upload_url(application, K.PACKAGES), {"packages-file": first})

    client.post(upload_url(application, K.PACKAGES), {"packages-file": second})
    response = client.get(materials_url(application))

    revision_1, revision_2 = Material.objects.filter(kind=K.PACKAGES).order_by("revision")
    assert card_text(response, K.PACKAGES, "latest").startswith("Revision 2 · package.gz")
    (earlier,) = find_all(card(response, K.PACKAGES), data_testid="earlier")
    assert [text(li).split(" · ")[0] for li in find_all(earlier, "li")] == ["Revision 1"]
    assert [attr(a, "href") for a in find_all(earlier, "a", data_testid="download")] == [
        download_url(revision_1)
    ]
    assert b"".join(client.get(download_url(revision_1)).streaming_content) == first_bytes
    assert len(stored_files(storage_dir)) == 2
    assert revision_1.file.name != revision_2.file.name


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("package.gz", b"%PDF-1.4\n% not a package\n"),
            "The name “package.gz” says a gzip archive, but the content is a PDF document.",
        ),
        (
            SimpleUploadedFile("package.gz", gzip.compress(b"x" * 5000)[:-12]),
            "“package.gz” is not a complete gzip stream: it is truncated or damaged.",
        ),
        (
            SimpleUploadedFile("package.exe", b"MZ\x90\x00"),
            "“package.exe” is not of a type accepted here (.gz, .tgz, .zip).",
        ),
    ],
    ids=["fake-extension", "corrupt", "type-not-accepted"],
)
def test_upload_bad_package_is_rejected_and_nothing_stored(client, storage_dir, upload, message):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(
        upload_url(application, K.PACKAGES),
        {"packages-file": upload, "packages-note": "Please look at the dialler."},
    )

    assert response.status_code == 200
    assert errors(response) == [message]
    assert field_value(response, "packages-note") == "Please look at the dialler."
    assert card_text(response, K.PACKAGES, "choose-again") == (
        "What you typed is kept. Choose the file again: a browser does not keep a chosen file "
        "once the page comes back."
    )
    assert Material.objects.count() == 0
    assert stored_files(storage_dir) == []


def test_upload_over_the_size_limit_is_stopped_while_received(client, settings, storage_dir):
    settings.UPLOAD_MAX_BYTES_PACKAGES = 1024
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(
        upload_url(application, K.PACKAGES), {"packages-file": package(payload=os.urandom(4096))}
    )

    assert errors(response) == ["The file “package.gz” is larger than the limit of 1.0 KB."]
    assert Material.objects.count() == 0
    assert stored_files(storage_dir) == []


def test_upload_is_streamed_to_a_temporary_file_not_memory(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(upload_url(application, K.PACKAGES), {"packages-file": package()})

    assert isinstance(response.wsgi_request.FILES["packages-file"], TemporaryUploadedFile)
    assert Material.objects.get().revision == 1


def test_upload_without_the_csrf_token_is_forbidden(storage_dir):
    application = awaiting()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(actor("own_partner", application))

    response = browser.post(upload_url(application, K.PACKAGES), {"packages-file": package()})

    assert response.status_code == 403
    assert Material.objects.count() == 0
    assert stored_files(storage_dir) == []


def test_upload_link_alone_completes_a_link_material(client, storage_dir):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(
        upload_url(application, K.SETUP_GUIDE),
        {"setup_guide-url": "https://docs.example/setup"},
        follow=True,
    )

    assert alerts(response) == ["2. Set-up and installation instructions: revision 1 added."]
    assert card_text(response, K.SETUP_GUIDE, "status") == "Provided"
    assert card_text(response, K.SETUP_GUIDE, "link") == "https://docs.example/setup"
    assert stored_files(storage_dir) == []


def test_upload_link_on_a_file_material_is_refused(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(
        upload_url(application, K.PACKAGES), {"packages-url": "https://files.example/p.gz"}
    )

    assert find_all(card(response, K.PACKAGES), name="packages-url") == []
    assert errors(response) == ["Choose a file to upload."]
    assert Material.objects.count() == 0


def test_upload_nothing_on_a_link_material_names_both_ways(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.post(upload_url(application, K.VIDEO), {"video-note": "Soon."})

    assert errors(response) == ["Choose a file or give a link."]
    assert field_value(response, "video-note") == "Soon."


def test_upload_demo_link_alone_is_incomplete_with_external_services(client):
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    response = client.post(
        upload_url(application, K.DEMO), {"demo-url": "https://stand.example"}, follow=True
    )

    assert card_text(response, K.DEMO, "status") == "Incomplete"
    assert card_text(response, K.DEMO, "problem") == (
        "The solution uses external services: give the demo package and the demo stand's "
        "address together, in one upload."
    )
    assert "5. Demo data and demo stand" in texts(response, "li")


def test_upload_by_the_team_is_forbidden(client):
    application = awaiting()
    client.force_login(actor("analyst"))

    response = client.post(upload_url(application, K.PACKAGES), {"packages-file": package()})

    assert response.status_code == 403
    assert Material.objects.count() == 0


def test_upload_after_submission_is_refused(client, storage_dir):
    application = ApplicationFactory(state=S.SUBMITTED_FOR_REVIEW)
    client.force_login(actor("own_partner", application))

    response = client.post(upload_url(application, K.PACKAGES), {"packages-file": package()})

    assert alerts(response) == [
        "Materials can be added while the request awaits them or changes are requested."
    ]
    assert Material.objects.count() == 0
    assert stored_files(storage_dir) == []
