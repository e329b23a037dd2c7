"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest

from dod.enums import CheckResult
from tests.factories.dod import (
    in_review,
)
from tests.workflow.markup import alerts, by_testid, errors, find_all
from tests.workflow.review_pages.helpers import (
    CRITERIA_UNMET,
    NEEDS_FINDING,
    S,
    action_labels,
    blocked,
    post_check,
    review_page,
    review_url,
)

pytestmark = pytest.mark.django_db


# --- Outcomes ---------------------------------------------------------------------------------


def test_outcome_buttons_say_why_they_are_not_possible_yet(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert action_labels(response) == [
        ("Request changes", "disabled"),
        ("Pass", "disabled"),
        ("Decline", "enabled"),
    ]
    assert blocked(response) == [
        f"Request changes is not possible yet: {NEEDS_FINDING}",
        f"Pass is not possible yet: {CRITERIA_UNMET}",
    ]


def test_request_changes_without_a_finding_is_refused_on_its_page(client, analyst):
    """R3.8: changes are requested only with findings for the partner."""
    application = in_review(analyst)
    client.force_login(analyst)
    url = review_url(application, "review_outcome", outcome="request-changes")

    shown = client.get(url)
    response = client.post(url, {"comment": "Rework.", "seen_state": S.IN_REVIEW})

    assert by_testid(shown, "blocked") == f"Not possible yet: {NEEDS_FINDING}"
    assert errors(response) == [NEEDS_FINDING]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_pass_with_a_failed_criterion_is_refused_on_its_page(client, analyst):
    """R3.1: a request whose DoD check failed does not go on to stage 4."""
    application = in_review(analyst)
    client.force_login(analyst)
    post_check(client, application, 3, CheckResult.FAIL)

    response = client.post(
        review_url(application, "review_outcome", outcome="pass"),
        {"comment": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == [CRITERIA_UNMET]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_decline_needs_a_reason(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_outcome", outcome="decline"),
        {"comment": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == ["This field is required."]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_decline_closes_the_request_and_its_round(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_outcome", outcome="decline"),
        {"comment": "Duplicates a base product feature.", "seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert alerts(response) == [
        "Decline: done. The request is now “Declined”; the partner has been told."
    ]
    assert by_testid(response, "round") == "Round 1, closed: Declined"
    (round_one,) = find_all(response, data_testid="round-1")
    assert by_testid(round_one, "outcome") == "Declined"


def test_outcome_page_of_an_unknown_outcome_is_not_found(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.get(review_url(application, "review_outcome", outcome="approve"))

    assert response.status_code == 404
