"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import gzip
import hashlib
import os
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue.models import SolutionVersion
from dod.enums import CheckResult, Severity
from dod.models import CheckEvidence, Criterion, FindingAnswer
from support_audit.business_hours import WorkingCalendar
from workflow import services
from workflow.enums import ApplicationKind, ApplicationState, MaterialKind
from workflow.materials import required_kinds
from workflow.models import Application, Material
from workflow.services import review
from workflow.services.materials import compatibility_confirm

from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    MaterialFactory,
    SolutionFactory,
    VersionFactory,
    actor,
)
from .markup import alerts, attr, by_testid, errors, field_value, find_all, text, texts

S = ApplicationState
K = MaterialKind
pytestmark = pytest.mark.django_db

TEAM = ["analyst", "leader", "rnd_expert", "auditor"]
NOT_FOUND = "Not found There is nothing here, or it is not yours to see."
ALL_REQUIRED = [
    "1. Solution packages",
    "2. Set-up and installation instructions",
    "3. User guide",
    "4. Test cases and test report",
    "5. Demo data and demo stand",
    "7. Sales materials",
    "8. Video",
    "9. Product test",
]


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    """Uploads go to a private directory of the test, never into the repository."""
    location = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location


def stored_files(location) -> list[str]:
    if not location.exists():
        return []
    return sorted(str(path.relative_to(location)) for path in location.rglob("*") if path.is_file())


def package(name="package.gz", payload=None) -> SimpleUploadedFile:
    data = gzip.compress(payload or os.urandom(4096))
    return SimpleUploadedFile(name, data, content_type="application/gzip")


def document(name="guide.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% a document\n", content_type="application/pdf")


def awaiting(**kwargs) -> Application:
    return ApplicationFactory(state=S.AWAITING_MATERIALS, **kwargs)


def materials_url(application) -> str:
    return reverse("materials", args=[application.pk])


def upload_url(application, kind) -> str:
    return reverse("material_upload", args=[application.pk, kind])


def download_url(material) -> str:
    return reverse("material_download", args=[material.application_id, material.pk])


def card(response, kind):
    (node,) = find_all(response, data_testid=f"material-{kind}")
    return node


def card_text(response, kind, testid) -> str:
    (node,) = find_all(card(response, kind), data_testid=testid)
    return text(node)


def provide_everything(application, user=None):
    """A complete latest revision of every material the request needs."""
    for kind in required_kinds(application):
        extra = {"uploaded_by": user} if user else {}
        if kind == K.DEMO and application.solution.uses_external_services:
            extra["url"] = "https://demo.example/stand"
        MaterialFactory(
            application=application,
            kind=kind,
            with_file=kind not in (K.SETUP_GUIDE, K.USER_GUIDE, K.VIDEO, K.WHATS_NEW),
            **extra,
        )


def certified_solution(**solution):
    """A certified solution with its certified request's materials, and a newer version."""
    certification = CertificationFactory(
        solution=SolutionFactory(**solution), application__version__number="1.0.0"
    )
    old = certification.application
    provide_everything(old)
    newer = VersionFactory(solution=certification.solution, number="1.1.0")
    return certification, newer


def open_update(certification, version, *, critical_fix=False):
    partner = actor("own_partner", certification.solution)
    application = services.update_request_open(
        by=partner,
        solution=certification.solution,
        version=version,
        motivation="Faster dialling.",
        critical_fix=critical_fix,
    )
    return application, partner


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
        {"seen_state": S.AWAITING_MATERIALS},
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
        {"seen_state": S.AWAITING_MATERIALS, "comment": "All in."},
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
        {"seen_state": S.AWAITING_MATERIALS},
        follow=True,
    )

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Withdrawn”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN


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


# --- Updates: carrying materials over, compatibility ------------------------------------


def test_carry_over_points_to_the_same_stored_file_as_a_new_revision(client, storage_dir):
    """R6.1: an update re-confirms the certified version's unchanged materials."""
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    MaterialFactory(application=application, kind=K.PACKAGES, with_file=True)
    source = Material.objects.get(application=certification.application, kind=K.PACKAGES)
    files_before = stored_files(storage_dir)
    client.force_login(partner)

    page = client.get(materials_url(application))
    response = client.post(
        reverse("material_carry_over", args=[application.pk, K.PACKAGES]),
        {"reconfirm-packages-confirm": "on"},
        follow=True,
    )

    assert len(find_all(page, "form", data_testid="reconfirm-form")) == 8
    assert alerts(response) == [
        "1. Solution packages: the certified version's material is re-confirmed as revision 2."
    ]
    carried = Material.objects.get(application=application, kind=K.PACKAGES, revision=2)
    assert (carried.file.name, carried.sha256, carried.carried_over_from) == (
        source.file.name,
        source.sha256,
        source,
    )
    assert card_text(response, K.PACKAGES, "latest").startswith(
        f"Revision 2 · {source.original_name}"
    )
    assert "Re-confirmed from version 1.0.0." in card_text(response, K.PACKAGES, "latest")
    assert stored_files(storage_dir) == files_before


def test_carry_over_needs_the_confirmation_ticked(client):
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    client.force_login(partner)

    response = client.post(reverse("material_carry_over", args=[application.pk, K.PACKAGES]), {})

    assert errors(response) == ["Tick the box to confirm the material still applies."]
    assert Material.objects.filter(application=application).count() == 0


def test_whats_new_cannot_be_carried_over(client):
    """R3.5: What's new describes the new version; it is never carried over."""
    certification, newer = certified_solution()
    MaterialFactory(application=certification.application, kind=K.WHATS_NEW)
    application, partner = open_update(certification, newer)
    client.force_login(partner)

    page = client.get(materials_url(application))
    response = client.post(
        reverse("material_carry_over", args=[application.pk, K.WHATS_NEW]),
        {"reconfirm-whats_new-confirm": "on"},
    )

    assert find_all(card(page, K.WHATS_NEW), data_testid="reconfirm-form") == []
    assert alerts(response) == ["What's new describes this version: it cannot be carried over."]
    assert Material.objects.filter(application=application).count() == 0


def test_compatibility_confirmation_unblocks_the_update(client):
    """R6.2: an update goes to review only once the partner confirms backward compatibility."""
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    provide_everything(application, partner)
    client.force_login(partner)

    before = client.get(materials_url(application))
    response = client.post(
        reverse("materials_compatibility", args=[application.pk]),
        {"compatibility-confirmed": "on", "compatibility-note": "Upgrade tested on a copy."},
        follow=True,
    )

    assert texts(before, data_testid="unmet") == [
        "Confirm backward compatibility with the previous version first (R6.2)."
    ]
    assert alerts(response) == ["Backward compatibility confirmed."]
    assert by_testid(response, "compatibility") == (
        "Backward compatibility (R6.2) The partner confirmed that version 1.1.0 is backward "
        "compatible with version 1.0.0. Upgrade tested on a copy. "
        "The reviewer verifies it during the review."
    )
    assert find_all(response, data_testid="unmet") == []
    (button,) = find_all(response, "button", data_testid="submit")
    assert "disabled" not in dict(button.attributes)


# --- Opening an update or a critical fix -------------------------------------------------


def test_open_update_is_refused_for_a_solution_not_certified(client):
    """R3.2: only a certified solution's new version opens an update."""
    solution = SolutionFactory()
    version = VersionFactory(solution=solution)
    client.force_login(actor("own_partner", solution))

    page = client.get(reverse("update_request_open", args=[solution.slug]))
    response = client.post(
        reverse("update_request_open", args=[solution.slug]),
        {"version": version.pk, "motivation": "New dialler."},
    )

    assert by_testid(page, "refusal") == (
        "Only a certified solution's new version opens an update (R3.2)."
    )
    assert by_testid(response, "refusal") == (
        "Only a certified solution's new version opens an update (R3.2)."
    )
    assert Application.objects.filter(solution=solution).count() == 0


def test_open_update_of_a_certified_solution_lands_in_awaiting_materials(client):
    """R3.2: a new version of a certified solution goes through stage 3 again."""
    certification, newer = certified_solution(name="Phone Link")
    client.force_login(actor("own_partner", certification.solution))

    response = client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"version": newer.pk, "motivation": "Faster dialling."},
        follow=True,
    )

    application = Application.objects.get(version=newer)
    assert response.redirect_chain == [(materials_url(application), 302)]
    assert alerts(response) == [
        f"Request #{application.pk} for version 1.1.0 is open. Provide the materials, "
        "including What's new, then submit them for review."
    ]
    assert (application.state, application.kind, application.previous_version) == (
        S.AWAITING_MATERIALS,
        ApplicationKind.UPDATE,
        certification.version,
    )
    assert by_testid(response, "state") == "Approved, awaiting materials"


def test_open_update_registers_a_new_version_typed_in(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"new_version": "2.0.0", "motivation": "A new major version."},
    )

    application = Application.objects.get(version__number="2.0.0")
    assert application.state == S.AWAITING_MATERIALS
    assert application.version.solution == certification.solution


def test_open_update_offers_only_newer_versions_without_an_open_request(client):
    certification, _newer = certified_solution()
    busy = VersionFactory(solution=certification.solution, number="1.2.0")
    ApplicationFactory(solution=certification.solution, version=busy, state=S.SUBMITTED)
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("update_request_open", args=[certification.solution.slug]))

    (select,) = find_all(response, "select", name="version")
    assert texts(select, "option") == ["— choose a registered version —", "1.1.0"]
    assert field_value(response, "critical_fix") is False


def test_critical_fix_review_is_due_two_business_days_after_submission(client, on_commit):
    """R6.5: a critical fix is reviewed within two business days of its submission."""
    certification, newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))
    form = client.get(
        reverse("update_request_open", args=[certification.solution.slug]) + "?critical=1"
    )
    client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"version": newer.pk, "motivation": "Calls drop.", "critical_fix": "on"},
    )
    application = Application.objects.get(version=newer)
    provide_everything(application)
    compatibility_confirm(application=application, by=application.created_by, note="")
    start = timezone.now()

    response = on_commit(
        client.post,
        reverse("materials_submit", args=[application.pk]),
        {"seen_state": S.AWAITING_MATERIALS},
        follow=True,
    )

    end = timezone.now()
    due = Application.objects.get(pk=application.pk).review_due_at
    days, tz, country = (
        django_settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS,
        django_settings.TEAM_TIME_ZONE,
        django_settings.TEAM_HOLIDAYS_COUNTRY,
    )
    assert field_value(form, "critical_fix") is True
    assert application.kind == ApplicationKind.CRITICAL_FIX
    assert WorkingCalendar(tz=tz, country=country).add_business_days(start, days) <= due
    assert due <= WorkingCalendar(tz=tz, country=country).add_business_days(end, days)
    assert due - start >= timedelta(days=2)
    assert by_testid(response, "state") == "Materials submitted for review"


def test_critical_fix_page_says_it_is_fast_tracked(client):
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer, critical_fix=True)
    client.force_login(partner)

    response = client.get(materials_url(application))

    assert by_testid(response, "critical-fix") == (
        "Critical fix: fast-tracked outside the release cycle; the review is due 2 business "
        "days after the materials are submitted."
    )


def test_solution_page_offers_an_update_of_the_certified_version(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    (box,) = find_all(response, data_testid="certification")
    assert texts(box, "a") == ["Open an update", "Report a critical fix"]
    assert text(box).startswith("Certified version: 1.0.0 · Certified · since ")


def test_solution_page_of_a_certified_solution_offers_no_first_certification(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    assert "Request certification" not in texts(response, "a")


def test_solution_page_offers_no_update_of_a_revoked_certification(client):
    certification = CertificationFactory(revoked=True)
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    (box,) = find_all(response, data_testid="certification")
    assert texts(box, "a") == []


def test_request_page_links_to_materials_and_findings_in_stage_3(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    (links,) = find_all(response, data_testid="quality-links")
    assert [(text(a), attr(a, "href")) for a in find_all(links, "a")] == [
        ("Materials", materials_url(application)),
        ("Findings", reverse("findings", args=[application.pk])),
    ]


# --- Findings ----------------------------------------------------------------------------


@pytest.fixture
def reviewed(on_commit):
    """A request sent back with one major finding on DoD 3, with evidence, by the analyst."""
    application = ApplicationFactory(state=S.SUBMITTED_FOR_REVIEW, solution__name="Phone Link")
    analyst = actor("analyst")
    analyst.first_name, analyst.last_name = "Anna", "Analyst"
    analyst.save()
    review.review_start(application=application, by=analyst)
    criterion = Criterion.objects.get(version=application.criteria_version, number=3)
    review.check_record(
        application=application,
        by=analyst,
        criterion=criterion,
        result=CheckResult.FAIL,
        comment="Prefix missing.",
        evidence=[SimpleUploadedFile("schemas.txt", b"UsrContact replaces a base schema.\n")],
    )
    finding = review.finding_raise(
        application=application,
        by=analyst,
        severity=Severity.MAJOR,
        text="The package replaces a base schema.",
        criterion=criterion,
    )
    on_commit(
        review.review_request_changes,
        application=application,
        by=analyst,
        comment="See the finding.",
    )
    return Application.objects.get(pk=application.pk), finding


def test_findings_page_shows_the_finding_to_the_partner(client, reviewed):
    application, _finding = reviewed
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("findings", args=[application.pk]))

    (item,) = find_all(response, data_testid="finding")
    assert [text(node) for node in find_all(item, data_testid="severity")] == ["Major"]
    assert by_testid(response, "criterion").startswith("DoD 3. Packages meet the publication")
    assert by_testid(response, "text") == "The package replaces a base schema."
    assert by_testid(response, "round") == "raised in round 1"
    assert by_testid(response, "status") == "Open"
    assert by_testid(response, "awaiting") == "Awaits your answer"
    assert by_testid(response, "answers") == "No answer yet."
    assert by_testid(response, "evidence") == "schemas.txt"


def test_answering_a_finding_in_changes_requested(client, reviewed):
    """R3.8: the partner answers the reviewers' findings before resubmitting."""
    application, finding = reviewed
    partner = actor("own_partner", application)
    partner.first_name, partner.last_name = "Nina", "Partner"
    partner.save()
    client.force_login(partner)
    materials_before = client.get(materials_url(application))

    response = client.post(
        reverse("finding_answer", args=[application.pk, finding.pk]),
        {f"finding-{finding.pk}-text": "Renamed to UsrCallContact in revision 2."},
        follow=True,
    )
    materials_after = client.get(materials_url(application))

    assert alerts(response) == ["Answer sent."]
    assert by_testid(response, "answers").startswith(
        "Renamed to UsrCallContact in revision 2. by Nina Partner,"
    )
    assert find_all(response, data_testid="awaiting") == []
    assert FindingAnswer.objects.get().text == "Renamed to UsrCallContact in revision 2."
    assert texts(materials_before, data_testid="unmet") == [
        "Every open finding must be answered before resubmitting."
    ]
    assert find_all(materials_after, data_testid="unmet") == []


def test_answering_a_finding_empty_is_refused(client, reviewed):
    application, finding = reviewed
    client.force_login(actor("own_partner", application))

    response = client.post(
        reverse("finding_answer", args=[application.pk, finding.pk]),
        {f"finding-{finding.pk}-text": ""},
    )

    assert errors(response) == ["This field is required."]
    assert FindingAnswer.objects.count() == 0


@pytest.mark.parametrize("role", TEAM)
def test_findings_page_is_read_only_for_the_team(client, reviewed, role):
    application, _finding = reviewed
    client.force_login(actor(role))

    response = client.get(reverse("findings", args=[application.pk]))

    assert by_testid(response, "text") == "The package replaces a base schema."
    assert find_all(response, "form", data_testid="answer-form") == []


def test_findings_page_without_findings_says_so(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("findings", args=[application.pk]))

    assert by_testid(response, "no-findings") == (
        "No findings yet: the reviewers write them during the quality review."
    )


def test_findings_of_another_partner_are_not_found(client, reviewed):
    application, finding = reviewed
    client.force_login(actor("other_partner", application))

    page = client.get(reverse("findings", args=[application.pk]))
    answer = client.post(
        reverse("finding_answer", args=[application.pk, finding.pk]),
        {f"finding-{finding.pk}-text": "Mine now."},
    )

    assert (page.status_code, answer.status_code) == (404, 404)
    assert FindingAnswer.objects.count() == 0


@pytest.mark.parametrize("who", ["own_partner", *TEAM])
def test_evidence_download_by_the_partner_and_the_team(client, reviewed, who):
    application, _finding = reviewed
    evidence = CheckEvidence.objects.get()
    client.force_login(actor(who, application))

    response = client.get(reverse("evidence_download", args=[application.pk, evidence.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="schemas.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"UsrContact replaces a base schema.\n"


def test_evidence_download_by_another_partner_is_not_found(client, reviewed):
    application, _finding = reviewed
    evidence = CheckEvidence.objects.get()
    client.force_login(actor("other_partner", application))

    response = client.get(reverse("evidence_download", args=[application.pk, evidence.pk]))

    assert response.status_code == 404


def test_evidence_under_another_request_id_is_not_found(client, reviewed):
    application, _finding = reviewed
    evidence = CheckEvidence.objects.get()
    mine = awaiting(solution__partner=application.solution.partner)
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("evidence_download", args=[mine.pk, evidence.pk]))

    assert response.status_code == 404


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("revisions", [1, 3])
def test_materials_page_query_count_does_not_grow(client, django_assert_num_queries, revisions):
    application = awaiting()
    partner = actor("own_partner", application)
    for _ in range(revisions):
        provide_everything(application, partner)
    client.force_login(partner)

    with django_assert_num_queries(MATERIALS_PAGE_QUERIES):
        response = client.get(materials_url(application))

    assert len(find_all(response, data_testid="download")) == 5 * revisions


# Session, user, roles, the partner of the navigation bar, the request, its materials, then
# the conditions of "submit for review" (materials again, findings).
MATERIALS_PAGE_QUERIES = 8


def test_open_update_with_a_registered_version_number_is_refused(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))
    versions_before = SolutionVersion.objects.count()

    response = client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"new_version": "1.0.0", "motivation": "Again."},
    )

    assert errors(response) == ["Version 1.0.0 is registered already: choose it in the list."]
    assert SolutionVersion.objects.count() == versions_before


def test_first_certification_request_of_a_certified_solution_is_refused():
    """R3.2: a certified solution's new version goes through an update, not a new request."""
    certification, newer = certified_solution()
    partner = actor("own_partner", certification.solution)

    with pytest.raises(ValidationError) as refused:
        services.application_create(
            by=partner, solution=certification.solution, version=newer, motivation="Again."
        )

    assert refused.value.messages == [
        f"{certification.solution.name} is certified: a new version of it is an update (R3.2)."
    ]
