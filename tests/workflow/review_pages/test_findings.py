"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest
from django.urls import reverse

from dod.enums import Severity
from dod.models import Criterion, Finding
from tests.factories.dod import (
    in_review,
    partner_of,
)
from tests.workflow.markup import alerts, errors, field_value, texts
from tests.workflow.review_pages.helpers import S, findings_rows, review_page, review_url
from workflow.models import Application
from workflow.services import review

pytestmark = pytest.mark.django_db


# --- Findings ---------------------------------------------------------------------------------


def test_findings_show_an_empty_state(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert findings_rows(response) == [["No findings yet."]]


def test_raise_a_finding_from_the_review_page(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)
    fourth = Criterion.objects.get(version__number=1, number=4)

    response = client.post(
        review_url(application, "review_finding_raise"),
        {
            "severity": Severity.BLOCKER,
            "criterion": fourth.pk,
            "text": "The user guide has no section on reports.",
            "seen_state": S.IN_REVIEW,
        },
        follow=True,
    )

    assert alerts(response) == ["Finding raised; the partner will see it."]
    assert findings_rows(response) == [
        [
            "Blocker",
            "4",
            "The user guide has no section on reports. Round 1, Anna Analyst",
            "Open",
            "No answer yet.",
            "Resolve",
        ]
    ]


def test_raise_a_finding_needs_its_text(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_finding_raise"),
        {"severity": Severity.MINOR, "text": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == ["This field is required."]
    assert field_value(response, "severity") == [Severity.MINOR]
    assert Finding.objects.count() == 0


def test_resolve_a_finding_from_the_review_page(client, analyst):
    application = in_review(analyst)
    finding = review.finding_raise(
        application=application, by=analyst, severity=Severity.MAJOR, text="No demo data."
    )
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_finding_resolve", finding_pk=finding.pk),
        {"seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert alerts(response) == ["Finding resolved."]
    assert findings_rows(response) == [
        [
            "Major",
            "—",
            "No demo data. Round 1, Anna Analyst",
            "Resolved in round 1",
            "No answer yet.",
            "",
        ]
    ]


def _changes_requested_with(analyst, severity, text) -> Application:
    application = in_review(analyst)
    review.finding_raise(application=application, by=analyst, severity=severity, text=text)
    review.review_request_changes(application=application, by=analyst, comment="Rework.")
    return application


def test_partner_sees_the_findings_of_the_review(client, analyst):
    """R3.8: the findings written in the review reach the partner, to fix the errors."""
    application = _changes_requested_with(analyst, Severity.MAJOR, "Saving a call fails.")
    client.force_login(partner_of(application))

    response = client.get(reverse("findings", args=[application.pk]))

    assert texts(response, data_testid="severity") == ["Major"]
    assert texts(response, data_testid="text") == ["Saving a call fails."]


def test_partner_sees_the_recommendations_of_the_review(client, analyst):
    """R7.3: the expert quality review gives the partner recommendations."""
    application = _changes_requested_with(
        analyst, Severity.RECOMMENDATION, "Add a setup wizard for the first run."
    )
    client.force_login(partner_of(application))

    response = client.get(reverse("findings", args=[application.pk]))

    assert texts(response, data_testid="severity") == ["Recommendation"]
    assert texts(response, data_testid="text") == ["Add a setup wizard for the first run."]
