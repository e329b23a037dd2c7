"""The API of a request's stage 3: its materials and their upload, the DoD review and the
partner's answers to findings (workflow/api_review.py)."""

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from dod.enums import FindingStatus, RoundOutcome
from dod.models import FindingAnswer
from tests.factories.accounts import ApiTokenFactory, UserFactory
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingAnswerFactory,
    FindingFactory,
    ReviewRoundFactory,
)
from tests.factories.workflow import ApplicationFactory, MaterialFactory
from workflow.enums import ApplicationState, MaterialKind
from workflow.models import Material

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the user guide\n"


def client_for(user) -> APIClient:
    """A client that sends `user`'s API token (none for None)."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).secret}")
    return client


def partner_of(application):
    return UserFactory(role="Partner", partner=application.solution.partner)


def upload(name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def application():
    return ApplicationFactory(state=ApplicationState.AWAITING_MATERIALS)


# --- Materials ---------------------------------------------------------------------------


def test_materials_list_every_material_with_its_revisions_newest_first(application):
    first = MaterialFactory(application=application, kind=MaterialKind.USER_GUIDE, with_file=True)
    second = MaterialFactory(application=application, kind=MaterialKind.USER_GUIDE, with_file=True)

    answer = client_for(partner_of(application)).get(
        f"/api/v1/requests/{application.pk}/materials/"
    )

    body = answer.json()
    assert answer.status_code == 200
    assert body["count"] == 10
    assert [row["number"] for row in body["results"]] == list(range(1, 11))
    guide = body["results"][2]
    assert (guide["kind"], guide["status"], guide["required"]) == ("user_guide", "provided", True)
    assert [r["revision"] for r in guide["revisions"]] == [second.revision, first.revision]
    latest = guide["revisions"][0]
    assert latest["file_name"] == second.original_name
    assert latest["size"] == len(b"%PDF-1.4\n% material\n")
    assert latest["uploaded_by"] == application.created_by.get_full_name()
    assert latest["download"] == (
        f"http://testserver/requests/{application.pk}/materials/{second.pk}/download/"
    )
    assert body["results"][0]["status"] == "missing"
    assert body["results"][9]["status"] == "none"  # What's new: a first certification


def test_a_materials_download_address_is_the_pages_checked_download(application):
    material = MaterialFactory(application=application, with_file=True)
    partner = partner_of(application)
    address = client_for(partner).get(f"/api/v1/requests/{application.pk}/materials/user_guide/")
    address = address.json()["revisions"][0]["download"]
    browser = APIClient()
    browser.force_login(partner)
    stranger = APIClient()
    stranger.force_login(UserFactory(partner_member=True))

    own = browser.get(address)
    other = stranger.get(address)

    assert b"".join(own.streaming_content) == b"%PDF-1.4\n% material\n"
    assert material.original_name in own["Content-Disposition"]
    assert other.status_code == 404


def test_materials_filter_by_kind_and_status(application):
    MaterialFactory(application=application, kind=MaterialKind.USER_GUIDE, with_file=True)
    client = client_for(partner_of(application))
    url = f"/api/v1/requests/{application.pk}/materials/"

    by_kind = client.get(url, {"kind": "user_guide"}).json()
    missing = client.get(url, {"status": "missing"}).json()
    bad = client.get(url, {"kind": "cake", "status": "lost"})

    assert [row["kind"] for row in by_kind["results"]] == ["user_guide"]
    assert "user_guide" not in [row["kind"] for row in missing["results"]]
    assert {row["status"] for row in missing["results"]} == {"missing"}
    assert bad.status_code == 400
    assert set(bad.json()) == {"kind", "status"}


def test_a_partner_uploads_a_revision_through_the_pages_service(application):
    partner = partner_of(application)

    answer = client_for(partner).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"file": upload("guide.pdf", PDF), "note": "  First edition. "},
        format="multipart",
    )

    stored = Material.objects.get(application=application)
    assert answer.status_code == 201
    assert answer.json()["revision"] == 1
    assert answer.json()["file_name"] == "guide.pdf"
    assert (stored.kind, stored.size, stored.content_kind) == ("user_guide", len(PDF), "pdf")
    assert stored.note == "First edition."
    assert stored.uploaded_by == partner
    assert stored.file.read() == PDF


def test_material_six_takes_its_parts_as_answer_fields(application):
    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/external_services/",
        {"answers.architecture": "Two services in Frankfurt."},
        format="multipart",
    )

    assert answer.status_code == 201
    assert answer.json()["answers"]["architecture"] == "Two services in Frankfurt."


def test_a_zip_bomb_is_refused_before_anything_is_stored(application):
    """R3.3: a package sent through the API passes the page's archive checks before it is
    stored."""
    bomb = zip_of({"zeros.bin": bytes(5 * 1024**2)})

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/packages/",
        {"file": upload("package.zip", bomb)},
        format="multipart",
    )

    assert answer.status_code == 400
    assert list(answer.json()) == ["file"]
    assert "“zeros.bin”" in answer.json()["file"][0]
    assert not Material.objects.exists()


def test_a_file_that_is_not_what_its_name_says_is_refused(application):
    """R3.3: packages are one `.gz` or a `.zip`, read from the content, not the name."""
    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/packages/",
        {"file": upload("package.gz", b"just text, not a package")},
        format="multipart",
    )

    assert answer.status_code == 400
    assert "file" in answer.json()
    assert not Material.objects.exists()


def test_a_file_over_the_materials_limit_answers_413_and_is_not_stored(application, settings):
    settings.UPLOAD_MAX_BYTES_USER_GUIDE = 1000

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"file": upload("guide.pdf", PDF + bytes(5000))},
        format="multipart",
    )

    assert answer.status_code == 413
    assert answer.json() == {
        "file": ["The file “guide.pdf” is larger than the limit of 1000\xa0bytes."]
    }
    assert not Material.objects.exists()


def test_a_file_larger_than_the_apis_json_body_limit_is_taken_up_to_its_materials(
    application, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024**2
    content = PDF + bytes(2 * 1024**2)

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"file": upload("guide.pdf", content)},
        format="multipart",
    )

    assert answer.status_code == 201
    assert Material.objects.get(application=application).size == len(content)


def test_a_json_body_over_the_limit_is_still_refused_unread(application, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"note": "x" * 2048},
        format="json",
    )

    assert answer.status_code == 413
    assert "detail" in answer.json()


def test_an_upload_without_file_or_link_answers_the_services_reason(application):
    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"note": "nothing attached"},
        format="multipart",
    )

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["Choose a file or give a link."]}


def test_an_upload_once_the_materials_are_submitted_answers_409():
    application = ApplicationFactory(state=ApplicationState.IN_REVIEW)

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/materials/user_guide/",
        {"file": upload("guide.pdf", PDF)},
        format="multipart",
    )

    assert answer.status_code == 409
    assert "awaits them or changes are requested" in answer.json()["detail"]
    assert not Material.objects.exists()


def test_an_unknown_material_answers_404(application):
    client = client_for(partner_of(application))

    read = client.get(f"/api/v1/requests/{application.pk}/materials/cake/")
    sent = client.post(f"/api/v1/requests/{application.pk}/materials/cake/", {}, format="multipart")

    assert (read.status_code, sent.status_code) == (404, 404)
    assert "detail" in read.json() and "detail" in sent.json()


# --- The DoD review ------------------------------------------------------------------------


@pytest.fixture
def reviewed():
    """A request sent back for changes after round 1: one criterion failed with a finding
    and a general recommendation, both open."""
    round_ = ReviewRoundFactory(application__state=ApplicationState.CHANGES_REQUESTED, closed=True)
    criterion = round_.criteria_version.criteria.get(number=4)
    check = CriterionCheckFactory(round=round_, criterion=criterion, failed=True)
    finding = FindingFactory(round=round_, criterion=criterion, text="The guide skips step 3.")
    FindingFactory(round=round_, recommendation=True, text="Add screenshots.")
    return round_.application, check, finding


def test_the_review_shows_the_team_each_check_and_the_findings(reviewed):
    """R3.6: each criterion's check of each round, as recorded, with its findings."""
    application, check, finding = reviewed

    answer = client_for(UserFactory(analyst=True)).get(f"/api/v1/requests/{application.pk}/review/")

    (round_,) = answer.json()["results"]
    assert answer.status_code == 200
    assert (round_["number"], round_["outcome"]) == (1, RoundOutcome.CHANGES_REQUESTED)
    assert [(c["criterion"]["number"], c["result"]) for c in round_["checks"]] == [(4, "fail")]
    assert round_["checks"][0]["comment"] == check.comment
    texts = [f["text"] for f in round_["findings"]]
    assert texts == ["The guide skips step 3.", "Add screenshots."]
    assert round_["findings"][0]["criterion"] == 4
    assert round_["findings"][1]["criterion"] is None
    assert round_["findings"][0]["answer"] == (
        f"http://testserver/api/v1/requests/{application.pk}/findings/{finding.pk}/answer/"
    )


def test_a_partner_reads_the_findings_but_not_the_reviewers_checks(reviewed):
    application, _check, finding = reviewed
    FindingAnswerFactory(finding=finding, text="Added step 3.")

    answer = client_for(partner_of(application)).get(f"/api/v1/requests/{application.pk}/review/")

    (round_,) = answer.json()["results"]
    assert round_["checks"] == []
    first = round_["findings"][0]
    assert [a["text"] for a in first["answers"]] == ["Added step 3."]
    assert first["awaiting_answer"] is False
    assert round_["findings"][1]["awaiting_answer"] is True


def test_the_review_filters_rounds_by_outcome(reviewed):
    application, _check, _finding = reviewed
    ReviewRoundFactory(application=application, number=2)
    client = client_for(UserFactory(analyst=True))
    url = f"/api/v1/requests/{application.pk}/review/"

    open_rounds = client.get(url, {"outcome": "open"}).json()["results"]
    bad = client.get(url, {"outcome": "maybe"})

    assert [r["number"] for r in open_rounds] == [2]
    assert bad.status_code == 400
    assert list(bad.json()) == ["outcome"]


def test_a_partner_answers_a_finding_through_the_pages_service(reviewed):
    """R3.8: the partner answers the review's findings through the API as on the page."""
    application, _check, finding = reviewed
    partner = partner_of(application)

    answer = client_for(partner).post(
        f"/api/v1/requests/{application.pk}/findings/{finding.pk}/answer/",
        {"text": "  Step 3 is in revision 2.  "},
        format="json",
    )

    stored = FindingAnswer.objects.get(finding=finding)
    assert answer.status_code == 201
    assert answer.json()["text"] == "Step 3 is in revision 2."
    assert (stored.text, stored.by) == ("Step 3 is in revision 2.", partner)


def test_an_empty_answer_names_the_field(reviewed):
    application, _check, finding = reviewed

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/findings/{finding.pk}/answer/",
        {"text": ""},
        format="json",
    )

    assert answer.status_code == 400
    assert list(answer.json()) == ["text"]
    assert not FindingAnswer.objects.exists()


def test_an_answer_outside_changes_requested_answers_409(reviewed):
    application, _check, finding = reviewed
    type(application).objects.filter(pk=application.pk).update(state=ApplicationState.IN_REVIEW)

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/findings/{finding.pk}/answer/",
        {"text": "Done."},
        format="json",
    )

    assert answer.status_code == 409
    assert answer.json() == {"detail": "Findings are answered while changes are requested."}


def test_a_resolved_finding_takes_no_answer(reviewed):
    application, _check, finding = reviewed
    type(finding).objects.filter(pk=finding.pk).update(status=FindingStatus.RESOLVED)

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/findings/{finding.pk}/answer/",
        {"text": "Done."},
        format="json",
    )

    assert answer.status_code == 409
    assert answer.json() == {"detail": "This finding is resolved already."}


def test_a_finding_of_another_request_answers_404(reviewed):
    application, _check, _finding = reviewed
    elsewhere = FindingFactory()

    answer = client_for(partner_of(application)).post(
        f"/api/v1/requests/{application.pk}/findings/{elsewhere.pk}/answer/",
        {"text": "Done."},
        format="json",
    )

    assert answer.status_code == 404
    assert not FindingAnswer.objects.exists()
