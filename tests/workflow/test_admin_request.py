"""The admin's page of a request, where the leaders decide: a readable timeline, the analyst's
overlap finding beside the portfolio, the readiness scores beside the decision."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from demo.seeding import overlap_note_of
from workflow import selectors, services
from workflow.enums import ApplicationState

from ..factories.workflow import (
    ApplicationFactory,
    ApprovalFactsFactory,
    SolutionFactory,
    actor,
    score_all_criteria,
    with_state_records,
)
from .markup import find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime(2026, 12, 1, 11, 40, 47, 946309, tzinfo=UTC)


def change_page(client, user, application):
    client.force_login(user)
    return client.get(reverse("admin:workflow_application_change", args=[application.pk]))


def test_timeline_reads_date_who_and_the_steps_label(client):
    application = ApplicationFactory(created_by__first_name="Nina", created_by__last_name="Partner")
    with time_machine.travel(SUBMITTED_AT, tick=False):
        services.application_submit(application=application, by=application.created_by)

    response = change_page(client, actor("leader"), application)

    (timeline,) = find_all(response, "fieldset", id="timeline")
    assert texts(timeline, "h2") == ["Timeline (append-only)"]
    assert [texts(row, "td") for row in find_all(timeline, "tr")[1:]] == [
        ["1 Dec 2026, 11:40 UTC", "Nina Partner", "Submit the request", "Draft → Submitted", "—"]
    ]
    assert "946309" not in response.text
    assert " - submit" not in response.text


def test_timeline_dates_follow_the_readers_language(client):
    application = ApplicationFactory()
    with time_machine.travel(SUBMITTED_AT, tick=False):
        services.application_submit(application=application, by=application.created_by)
    client.force_login(actor("leader"))

    client.cookies["django_language"] = "ru"
    response = client.get(reverse("admin:workflow_application_change", args=[application.pk]))

    (timeline,) = find_all(response, "fieldset", id="timeline")
    assert texts(find_all(timeline, "tr")[1], "td")[0] == "1 декабря 2026, 11:40 UTC"


def test_overlap_shows_the_analysts_finding_beside_the_portfolio(client):
    application = with_state_records(
        ApplicationFactory(state=S.AWAITING_APPROVAL, solution__category="Telephony")
    )
    other = SolutionFactory(name="Alpha Phone", category="Telephony")
    facts = application.approval_facts
    facts.overlap_note = "Alpha Phone covers calls only."
    facts.save()
    facts.overlapping_solutions.set([other])

    response = change_page(client, actor("leader"), application)

    (finding,) = find_all(response, id="overlap-facts")
    assert texts(finding, "p")[:2] == [
        "The analyst's finding (stage-2 facts): Alpha Phone covers calls only.",
        "Overlapping solutions named: Alpha Phone",
    ]


def test_demooverlap_note_of_agrees_with_the_portfolio():
    """The demo's stage-2 facts are written from the portfolio the overlap table shows, not a
    fixed sentence: a note that says "no other solution" has an empty table and vice versa."""
    alone = ApplicationFactory(solution__category="Rare area")
    crowded = ApplicationFactory(solution__category="Messaging")
    SolutionFactory(name="Chat Bot", category="Messaging")
    ApplicationFactory(
        solution=SolutionFactory(name="SMS Gate", category="Messaging"),
        state=S.AWAITING_MATERIALS,
    )

    notes = [
        overlap_note_of(list(selectors.overlap_candidates(application)))
        for application in (alone, crowded)
    ]

    assert notes == [
        "No other published solution in this business area.",
        "Other published solutions in this business area: SMS Gate (certified or in "
        "certification), Chat Bot (not certified).",
    ]


def test_approve_form_shows_the_readiness_scores_and_the_facts(client):
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)
    score_all_criteria(application, score=2)
    ApprovalFactsFactory(application=application, overlap_note="Nothing overlaps.")
    client.force_login(actor("leader"))

    response = client.get(
        reverse("admin:workflow_application_decide", args=[application.pk, "approve"])
    )

    (scores,) = find_all(response, "table", id="readiness-scores")
    assert [texts(row, "td")[:2] for row in find_all(scores, "tr")[1:]] == [
        ["Resources for supporting the solution", "2/5"],
        ["Plans to develop the functionality", "2/5"],
        ["Willingness to invest in quality", "2/5"],
        ["Maturity of the development processes", "2/5"],
    ]
    assert "Portfolio overlap: Nothing overlaps." in [text(li) for li in find_all(response, "li")]
