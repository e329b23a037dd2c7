"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dod.enums import CheckResult, Severity
from dod.models import CheckEvidence, Criterion, FindingAnswer
from tests.factories.workflow import ApplicationFactory, actor
from tests.workflow.markup import alerts, by_testid, errors, find_all, text, texts
from tests.workflow.material_pages.helpers import TEAM, S, awaiting, materials_url
from workflow.models import Application
from workflow.services import review

pytestmark = pytest.mark.django_db


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
