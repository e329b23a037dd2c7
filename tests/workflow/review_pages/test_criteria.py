"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dod.enums import CheckResult
from dod.models import CheckEvidence, Criterion
from tests.factories.dod import (
    in_review,
)
from tests.factories.workflow import actor
from tests.workflow.markup import alerts, by_testid, errors, field_value, find_all, text, texts
from tests.workflow.review_pages.helpers import (
    action_labels,
    card,
    post_check,
    result_choices,
    review_page,
    review_url,
)
from workflow.services import review

pytestmark = pytest.mark.django_db


# --- The criteria -----------------------------------------------------------------------------


def test_review_page_shows_each_criterion_with_how_it_is_checked(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert [text(node) for node in find_all(response, data_testid="how-checked")] == [
        f"How it is checked: {c.how_checked}"
        for c in Criterion.objects.filter(version__number=1).order_by("number")
    ]
    assert [text(node) for node in find_all(response, data_testid="reviewer")] == (
        ["Marketplace analyst"] * 8 + ["R&D expert"] * 2
    )
    assert by_testid(response, "criteria-summary") == "0 of 10 criteria passed."


@pytest.mark.parametrize(
    ("external", "choices"), [(False, ["pass", "fail", "na"]), (True, ["pass", "fail"])]
)
def test_review_page_offers_not_applicable_only_where_allowed(
    client, analyst, rnd_expert, external, choices
):
    """R3.7: "not applicable" is offered for DoD 9–10 only, and only without external services."""
    application = in_review(analyst, external=external)

    client.force_login(rnd_expert)
    as_rnd = review_page(client, application)
    client.force_login(analyst)
    as_analyst = review_page(client, application)

    assert [result_choices(card(as_rnd, n)) for n in (9, 10)] == [choices, choices]
    assert [result_choices(card(as_analyst, n)) for n in range(1, 9)] == [["pass", "fail"]] * 8


def test_analyst_sees_the_integration_criteria_read_only(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == (
        [True] * 8 + [False] * 2
    )
    assert [text(node) for node in find_all(response, data_testid="read-only")] == [
        "Read-only for you: this criterion is checked by the R&D expert."
    ] * 2


def test_rnd_expert_sees_the_analysts_criteria_read_only(client, analyst, rnd_expert):
    application = in_review(analyst)
    client.force_login(rnd_expert)

    response = review_page(client, application)

    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == (
        [False] * 8 + [True] * 2
    )
    assert action_labels(response) == []


def test_leader_sees_the_review_read_only(client, analyst):
    application = in_review(analyst)
    client.force_login(actor("leader"))

    response = review_page(client, application)

    assert find_all(response, "form", id="raise-finding") == []
    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == [False] * 10
    assert action_labels(response) == []


@pytest.mark.parametrize("number", [9, 10])
def test_analyst_cannot_check_an_integration_criterion(client, analyst, number):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(client, application, number, CheckResult.PASS)

    assert response.status_code == 403
    assert application.review_rounds.get().checks.count() == 0


@pytest.mark.parametrize("number", [1, 4, 8])
def test_rnd_expert_cannot_check_an_analyst_criterion(client, analyst, rnd_expert, number):
    application = in_review(analyst)
    client.force_login(rnd_expert)

    response = post_check(client, application, number, CheckResult.PASS)

    assert response.status_code == 403
    assert application.review_rounds.get().checks.count() == 0


def test_check_saves_result_comment_and_evidence_files(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(
        client,
        application,
        1,
        CheckResult.FAIL,
        comment="Saving a call record fails.",
        files=[
            SimpleUploadedFile("steps.txt", b"Open a call; press Save.\n"),
            SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ],
    )
    page = client.get(review_url(application))

    assert response.url == review_url(application) + "#criterion-1"
    (this_round,) = find_all(card(page, 1), data_testid="this-round")
    assert by_testid(this_round, "result") == "Fail"
    assert by_testid(this_round, "comment") == "Saving a call record fails."
    assert texts(this_round, "a") == ["steps.txt", "screen.png"]
    assert field_value(card(page, 1), "comment") == "Saving a call record fails."


def test_check_keeps_the_input_when_an_evidence_file_is_refused(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(
        client,
        application,
        2,
        CheckResult.PASS,
        comment="Works on 8.1.",
        files=[SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")],
    )

    assert errors(response) == [
        "The name “report.pdf” says a PDF document, but the content is not of a recognised type."
    ]
    assert field_value(card(response, 2), "comment") == "Works on 8.1."
    assert application.review_rounds.get().checks.count() == 0


def test_check_sent_after_the_round_closed_saves_nothing(client, analyst):
    application = in_review(analyst)
    review.finding_raise(application=application, by=analyst, severity="minor", text="Typo.")
    review.review_request_changes(application=application, by=analyst, comment="Fix it.")
    client.force_login(analyst)

    response = post_check(client, application, 1, CheckResult.PASS)

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Changes requested”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert application.review_rounds.get().checks.count() == 0


def test_evidence_file_downloads_for_the_team(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)
    post_check(
        client, application, 1, "fail", files=[SimpleUploadedFile("log.txt", b"Crash at 10:02\n")]
    )
    evidence = CheckEvidence.objects.get()

    response = client.get(review_url(application, "review_evidence", evidence_pk=evidence.pk))

    assert b"".join(response.streaming_content) == b"Crash at 10:02\n"
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'
