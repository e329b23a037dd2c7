"""The leaders' page: every request waiting for a leader's decision, with the readiness scores
and the stage-2 facts beside it; where a leader lands; who may see it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from workflow.enums import ApplicationState
from workflow.models import Application

from ..factories.workflow import (
    ApplicationFactory,
    ApprovalFactsFactory,
    SolutionFactory,
    actor,
    score_all_criteria,
    with_state_records,
)
from .markup import attr, by_testid, find_all, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def waiting(state, *, days, **kwargs):
    """A request in `state` since `days` ago, with what the state implies recorded."""
    application = with_state_records(ApplicationFactory(state=state, **kwargs))
    Application.objects.filter(pk=application.pk).update(
        state_changed_at=NOW - timedelta(days=days)
    )
    return application


def decisions(client, user, **params):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("decisions"), params)


def card_ids(response):
    return [
        int(attr(card, "data-testid").removeprefix("decision-"))
        for card in find_all(response, "article")
    ]


def test_r21_lists_every_request_waiting_for_the_leaders_and_nothing_else(client):
    """R2.1: the requests awaiting a decision, then the deferred ones, the longest waiting
    first; no request of another state."""
    recent = waiting(S.AWAITING_APPROVAL, days=1)
    oldest = waiting(S.AWAITING_APPROVAL, days=9)
    deferred = waiting(S.DEFERRED, days=30)
    for state in (S.READINESS_REVIEW, S.AWAITING_MATERIALS, S.DECLINED, S.SUBMITTED):
        waiting(state, days=40)

    response = decisions(client, actor("leader"))

    assert card_ids(response) == [oldest.pk, recent.pk, deferred.pk]
    assert by_testid(response, "decisions-count") == "3 requests wait for a decision."


def test_each_request_shows_its_scores_facts_wait_and_a_link_to_decide(client):
    application = ApplicationFactory(
        state=S.AWAITING_APPROVAL,
        solution__name="Phone Link",
        version__number="2.4.0",
    )
    score_all_criteria(application, score=3)
    other = SolutionFactory(name="Ring Central Bridge")
    facts = ApprovalFactsFactory(
        application=application,
        overlap_note="Ring Central Bridge covers calls, not the call centre.",
        customer_requests=14,
        roadmap_note="Nothing similar planned.",
    )
    facts.overlapping_solutions.set([other])
    Application.objects.filter(pk=application.pk).update(
        state_changed_at=NOW - timedelta(days=3, hours=4)
    )

    response = decisions(client, actor("leader"))

    (card,) = find_all(response, "article", data_testid=f"decision-{application.pk}")
    assert texts(card, "h2") == ["Phone Link 2.4.0"]
    assert texts(card, data_testid="waited") == ["waiting for 3 d 4 h"]
    assert [texts(row, "td") for row in find_all(card, "tr")] == [["3/5"]] * 4
    assert texts(card, "th") == [
        "Resources for supporting the solution",
        "Plans to develop the functionality",
        "Willingness to invest in quality",
        "Maturity of the development processes",
    ]
    assert texts(card, "dd") == [
        "Ring Central Bridge covers calls, not the call centre. "
        "Overlapping solutions: Ring Central Bridge",
        "no — Nothing similar planned.",
        "14",
    ]
    (decide,) = [a for a in find_all(card, "a") if texts(a) == ["Decide"]]
    assert attr(decide, "href") == reverse(
        "admin:workflow_application_change", args=[application.pk]
    )


def test_request_without_facts_or_scores_says_so(client):
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)

    response = decisions(client, actor("leader"))

    (card,) = find_all(response, "article", data_testid=f"decision-{application.pk}")
    assert texts(card, "td") == ["not scored"] * 4
    assert texts(card, data_testid="no-facts") == [
        "No stage-2 facts yet: an analyst records them before the decision."
    ]


def test_empty_state(client):
    waiting(S.AWAITING_MATERIALS, days=2)

    response = decisions(client, actor("leader"))

    assert find_all(response, "article") == []
    assert by_testid(response, "no-decisions").startswith("No request waits for a decision.")


def test_pages_of_decisions(client, settings):
    settings.QUEUE_PAGE_SIZE = 2
    ids = [waiting(S.AWAITING_APPROVAL, days=10 - n).pk for n in range(3)]
    leader = actor("leader")

    first, second = decisions(client, leader), decisions(client, leader, page=2)

    assert (card_ids(first), card_ids(second)) == (ids[:2], ids[2:])


@pytest.mark.parametrize("count", [1, 3])
def test_query_count_does_not_grow(client, django_assert_num_queries, count):
    for n in range(count):
        application = waiting([S.AWAITING_APPROVAL, S.DEFERRED][n % 2], days=n + 1)
        application.approval_facts.overlapping_solutions.set([SolutionFactory()])
    client.force_login(actor("leader"))

    with django_assert_num_queries(DECISIONS_QUERIES):
        response = client.get(reverse("decisions"))

    assert len(card_ids(response)) == count


# The session, the user and their roles, the count, the page with its facts, the scores, the
# overlapping solutions: the same whatever the number of requests.
DECISIONS_QUERIES = 7


# --- Who sees it --------------------------------------------------------------------------


def test_r21_a_leader_lands_on_the_decisions_and_has_the_nav_link(client):
    """R2.1: the leaders decide; their home in the portal is the decisions waiting."""
    leader = actor("leader")
    client.force_login(leader)

    landing = client.get(reverse("dashboard"))
    page = client.get(reverse("decisions"))

    assert landing.url == reverse("decisions")
    nav = find_all(page, "nav")[0]
    assert "Decisions waiting" in texts(nav, "a")


@pytest.mark.parametrize("role", ["analyst", "rnd_expert", "auditor", "own_partner"])
def test_r21_nobody_but_a_leader_sees_the_page(client, role):
    """R2.1: only leaders decide; the others are refused the page and have no link to it."""
    application = waiting(S.AWAITING_APPROVAL, days=1)
    user = actor(role, application)
    client.force_login(user)

    refused = client.get(reverse("decisions"))
    home = client.get(reverse("solution_list"))

    assert refused.status_code == 403
    assert "Decisions waiting" not in texts(find_all(home, "nav")[0], "a")
    assert str(application.solution.name) not in refused.text


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("decisions"))

    assert response.url == f"{reverse('login')}?next={reverse('decisions')}"


def test_analyst_still_lands_on_the_queue(client):
    client.force_login(actor("analyst"))

    response = client.get(reverse("dashboard"))

    assert response.url == reverse("queue")
