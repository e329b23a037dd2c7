"""Every list a page shows is bounded: a page at a time or the first rows with a link to the
rest, in a number of queries that does not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import Marketplace
from tests.factories.certification import RemediationPlanFactory
from workflow.enums import ApplicationState

from ..factories.workflow import CertificationFactory, PartnerFactory, SolutionFactory, actor
from .markup import attr, by_testid, find_all, texts
from .test_pages import request_in
from .test_rules import change_url, portfolio_rows

S = ApplicationState
pytestmark = pytest.mark.django_db


def with_testid(response, value):
    return find_all(response, data_testid=value)


def queries_of(client, url, params=None):
    client.get(url, params or {})  # the first request of a test fills the per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(queries)


def overdue(count):
    for _ in range(count):
        CertificationFactory(next_audit_due=timezone.localdate() - timedelta(days=3))
        RemediationPlanFactory(
            items=[("Register chat cases", timezone.localdate() - timedelta(days=2))]
        )


# --- The queue's "Audits due" panel and its page ------------------------------------------


def test_queue_panel_shows_the_first_audits_due_and_links_to_the_rest(client, settings):
    settings.SHORT_LIST_SIZE = 2
    client.force_login(actor("analyst"))
    overdue(1)
    few, few_queries = queries_of(client, reverse("queue"))
    overdue(4)
    many, many_queries = queries_of(client, reverse("queue"))

    assert few_queries == many_queries
    assert len(find_all(with_testid(few, "audits-due")[0], "li")) == 2
    assert with_testid(few, "all-audits-due") == []
    assert len(find_all(with_testid(many, "audits-due")[0], "li")) == 4
    assert attr(with_testid(many, "all-audits-due")[0], "href") == reverse("audits_due")


def test_audits_due_page_lists_a_page_of_each(client, settings):
    settings.QUEUE_PAGE_SIZE = 3
    client.force_login(actor("analyst"))
    overdue(2)
    _few, few_queries = queries_of(client, reverse("audits_due"))
    overdue(4)
    many, many_queries = queries_of(client, reverse("audits_due"))
    second, _ = queries_of(client, reverse("audits_due"), {"page": 2, "actions": 2})

    assert few_queries == many_queries
    assert len(find_all(with_testid(many, "audits-due-list")[0], "li")) == 3
    assert len(find_all(with_testid(many, "actions-due-list")[0], "li")) == 3
    assert len(find_all(with_testid(second, "audits-due-list")[0], "li")) == 3
    assert "Page 2 of 2" in second.content.decode()


def test_audits_due_page_says_when_nothing_is_due(client):
    client.force_login(actor("analyst"))

    response = client.get(reverse("audits_due"))

    assert "No regular audit is past due." in response.content.decode()
    assert "No remediation action is past due." in response.content.decode()


def test_queue_query_count_does_not_grow_past_a_page(client, settings):
    settings.QUEUE_PAGE_SIZE = 3
    client.force_login(actor("analyst"))
    for n in range(2):
        request_in(S.SUBMITTED, waiting_days=n + 1)
    _few, few_queries = queries_of(client, reverse("queue"))
    for n in range(8):
        request_in(S.AWAITING_APPROVAL, waiting_days=n + 1)
    many, many_queries = queries_of(client, reverse("queue"))

    assert few_queries == many_queries
    assert "Page 1 of 4" in many.content.decode()


# --- The admin's overlap table -----------------------------------------------------------


def test_overlap_table_shows_the_first_solutions_and_links_to_the_area(client, settings):
    settings.SHORT_LIST_SIZE = 3
    application = request_in(S.AWAITING_APPROVAL, solution__category="Telephony")
    client.force_login(actor("leader", application))
    for n in range(2):
        SolutionFactory(name=f"Phone {n}", category="Telephony")
    few, few_queries = queries_of(client, change_url(application))
    for n in range(2, 12):
        SolutionFactory(name=f"Phone {n:02}", category="Telephony")
    many, many_queries = queries_of(client, change_url(application))

    assert few_queries == many_queries
    assert len(portfolio_rows(few)) == 2
    assert "overlap-more" not in few.content.decode()
    assert len(portfolio_rows(many)) == 3
    (more,) = find_all(many, "p", id="overlap-more")
    link = attr(find_all(more, "a")[0], "href")
    assert link.startswith(reverse("admin:catalogue_solution_changelist"))
    listed = client.get(link)
    assert listed.status_code == 200
    assert "13 solutions" in listed.content.decode()


# --- The partner's dashboard --------------------------------------------------------------


def test_dashboard_pages_closed_requests_apart(client, settings):
    settings.DASHBOARD_PAGE_SIZE = 2
    partner = PartnerFactory()
    for n in range(5):
        request_in(S.WITHDRAWN, solution__partner=partner, waiting_days=n + 1)
    client.force_login(actor("own_partner", SolutionFactory(partner=partner)))

    first = client.get(reverse("dashboard"))
    last = client.get(reverse("dashboard"), {"closed": 3})

    assert len(find_all(first, "tr")[1:]) == 2
    assert 'href="?closed=2"' in first.content.decode()
    assert len(find_all(last, "tr")[1:]) == 1


def test_dashboard_empty_state_names_a_few_solutions_and_links_to_all(client, settings):
    settings.SHORT_LIST_SIZE = 2
    partner = PartnerFactory()
    for n in range(4):
        SolutionFactory(partner=partner, name=f"Solution {n}")
    client.force_login(actor("own_partner", SolutionFactory(partner=partner, name="Solution 9")))

    response = client.get(reverse("dashboard"))

    assert attr(with_testid(response, "all-solutions")[0], "href") == reverse("solution_list")
    assert "Solution 2" not in response.content.decode()


# --- The catalogue ------------------------------------------------------------------------


def certified(n, **solution):
    fields = {"name": f"Certified {n:03}", "is_published": True, **solution}
    return CertificationFactory(**{f"solution__{name}": value for name, value in fields.items()})


def test_catalogue_query_count_does_not_grow(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 4
    for n in range(2):
        certified(n)
    _few, few_queries = queries_of(client, reverse("catalogue"), {"q": "Certified"})
    for n in range(2, 14):
        certified(n)
    many, many_queries = queries_of(client, reverse("catalogue"), {"q": "Certif"})

    assert few_queries == many_queries
    assert len(with_testid(many, "certified-solution")) == 4
    assert "Page 1 of 4" in many.content.decode()


def test_catalogue_pages_and_links_keep_the_filters(client, settings):
    settings.CATALOGUE_PAGE_SIZE = 2
    for n in range(5):
        certified(n, marketplace=Marketplace.TERRASOFT)
    certified(9, marketplace=Marketplace.CREATIO)

    first = client.get(reverse("catalogue"), {"marketplace": "terrasoft"})
    third = client.get(reverse("catalogue"), {"marketplace": "terrasoft", "page": 3})

    cards = with_testid(first, "certified-solution")
    assert [texts(card, "h2")[0] for card in cards] == ["Certified 000", "Certified 001"]
    assert 'href="?marketplace=terrasoft&amp;page=2"' in first.content.decode()
    assert [texts(c, "h2")[0] for c in with_testid(third, "certified-solution")] == [
        "Certified 004"
    ]


def test_catalogue_searches_names_and_partners_and_filters_the_area(client):
    certified(1, name="Phone Sync", category="Telephony")
    certified(2, name="Doc Flow", category="Document flow", partner__name="Phonetics Ltd")
    certified(3, name="Mailer", category="Mail")

    by_text = client.get(reverse("catalogue"), {"q": "phone"})
    by_area = client.get(reverse("catalogue"), {"category": "telephony"})

    names = [texts(c, "h2")[0] for c in with_testid(by_text, "certified-solution")]
    assert names == ["Doc Flow", "Phone Sync"]
    area = [texts(c, "h2")[0] for c in with_testid(by_area, "certified-solution")]
    assert area == ["Phone Sync"]


def test_catalogue_says_when_nothing_matches(client):
    certified(1)

    response = client.get(reverse("catalogue"), {"q": "nothing like it"})

    assert "No certified solution matches your search." in by_testid(response, "catalogue-empty")
