"""What the pages show: the partner's dashboard, the analysts' queue, the request page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import Marketplace
from tests.factories.accounts import UserFactory
from workflow import services
from workflow.enums import ApplicationState, Priority
from workflow.models import Application

from ..factories.workflow import (
    ApplicationFactory,
    PartnerFactory,
    SetupMeetingFactory,
    SolutionFactory,
    actor,
    with_state_records,
)
from .markup import attr, by_testid, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

STAGES = [
    "1. Partner request",
    "2. Approval",
    "3. Quality certification",
    "4. Support certification",
    "5. Regular audit",
]


def request_in(state, *, waiting_days=0, **kwargs):
    application = with_state_records(ApplicationFactory(state=state, **kwargs))
    if waiting_days:
        Application.objects.filter(pk=application.pk).update(
            state_changed_at=timezone.now() - timedelta(days=waiting_days)
        )
    return Application.objects.get(pk=application.pk)


def stage_bar(node):
    """Each stage of a progress bar as (text, class, aria-current)."""
    (bar,) = find_all(node, "ol", **{"class": "stage-bar"})
    return [(text(li), attr(li, "class"), attr(li, "aria-current")) for li in find_all(bar, "li")]


# --- The partner's dashboard ------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "stage", "awaited"),
    [
        (S.DRAFT, 1, "Check the request and submit it."),
        (S.SUBMITTED, 1, "Nothing yet: an analyst will propose the set-up meeting."),
        (S.MEETING_SCHEDULED, 1, "Attend the set-up meeting."),
        (S.READINESS_REVIEW, 1, "Nothing: the analyst is assessing your readiness."),
        (S.AWAITING_APPROVAL, 2, "Nothing: the leaders are deciding on priority."),
        (
            S.DEFERRED,
            2,
            "Nothing: the leaders deferred the request and will take it up again.",
        ),
        (S.AWAITING_MATERIALS, 3, "Provide the certification materials (stage 3)."),
    ],
)
def test_dashboard_card_shows_progress_and_what_is_awaited(client, state, stage, awaited):
    application = request_in(state, solution__name="Phone Link", version__number="2.4.0")
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("dashboard"))

    (card,) = find_all(response, data_testid=f"request-{application.pk}")
    expected_bar = [
        (
            label,
            "done" if n < stage else "current" if n == stage else "",
            "step" if n == stage else None,
        )
        for n, label in enumerate(STAGES, start=1)
    ]
    assert stage_bar(card) == expected_bar
    assert texts(card, "h3") == ["Phone Link 2.4.0"]
    assert texts(card, "span", **{"class": "badge text-bg-primary"}) == [S(state).label]
    assert texts(card, "p", **{"class": "mt-2 mb-0"}) == [f"Awaited from you: {awaited}"]


def test_dashboard_lists_closed_requests_apart(client):
    declined = request_in(S.DECLINED)
    Application.objects.filter(pk=declined.pk).update(closed_in_stage=2)
    client.force_login(actor("own_partner", declined))

    response = client.get(reverse("dashboard"))

    (table,) = find_all(response, "table")
    rows = [texts(row, "td")[:2] for row in find_all(table, "tr")[1:]]
    assert rows == [[f"{declined.solution.name} {declined.version.number}", "Declined"]]
    assert find_all(response, "div", **{"class": "card mb-3"}) == []


def test_request_page_of_a_closed_request_marks_where_it_stopped(client):
    application = request_in(S.AWAITING_APPROVAL)
    services.leader_decide(
        application=application, by=actor("leader"), decision="decline_approval", comment="No."
    )
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert stage_bar(response)[:3] == [
        (STAGES[0], "done", None),
        (STAGES[1], "stopped", "step"),
        (STAGES[2], "", None),
    ]


def test_a_certified_request_looks_like_success_not_like_a_stop(client):
    """Certified is the request's success: every stage done, the last one marked certified,
    the state in green; a declined one is marked where it stopped, in red."""
    certified = request_in(S.CERTIFIED)
    declined = request_in(S.DECLINED)
    Application.objects.filter(pk=declined.pk).update(closed_in_stage=3)
    client.force_login(actor("analyst"))

    certified_page = client.get(reverse("application_detail", args=[certified.pk]))
    declined_page = client.get(reverse("application_detail", args=[declined.pk]))

    assert stage_bar(certified_page) == [
        *[(label, "done", None) for label in STAGES[:4]],
        (STAGES[4], "certified", "step"),
    ]
    assert [attr(n, "class") for n in find_all(certified_page, data_testid="state")] == [
        "badge fs-6 text-bg-success"
    ]
    assert stage_bar(declined_page)[2] == (STAGES[2], "stopped", "step")
    assert [attr(n, "class") for n in find_all(declined_page, data_testid="state")] == [
        "badge fs-6 text-bg-danger"
    ]


def test_every_page_starts_with_a_link_to_its_main_content(client):
    response = client.get(reverse("catalogue"))

    (skip,) = find_all(response, "a", **{"class": "skip-link"})
    assert attr(skip, "href") == "#main"
    assert text(skip) == "Skip to the main content"
    assert [attr(main, "id") for main in find_all(response, "main")] == ["main"]


def test_dashboard_of_team_member_goes_to_the_queue(client):
    client.force_login(actor("analyst"))

    response = client.get(reverse("dashboard"))

    assert response.url == reverse("queue")


# --- The queue --------------------------------------------------------------------------


def queue_rows(response):
    (table,) = find_all(response, "table")
    return [texts(row, "td") for row in find_all(table, "tr")[1:]]


def queue_ids(response):
    return [int(row[0]) for row in queue_rows(response) if row[0].isdigit()]


def queue(client, **params):
    return client.get(reverse("queue"), params)


@pytest.fixture
def analyst(client):
    user = actor("analyst")
    client.force_login(user)
    return user


def test_queue_shows_longest_waiting_first(client, analyst):
    recent = request_in(S.SUBMITTED, waiting_days=1)
    oldest = request_in(S.READINESS_REVIEW, waiting_days=30)
    middle = request_in(S.AWAITING_APPROVAL, waiting_days=10)

    response = queue(client)

    assert queue_ids(response) == [oldest.pk, middle.pk, recent.pk]
    assert texts(response, "p", **{"class": "text-muted small"}) == [
        "3 requests, longest waiting first."
    ]


def test_queue_row_shows_what_the_team_needs(client, analyst):
    application = request_in(
        S.SUBMITTED,
        waiting_days=3,
        solution__name="Doc Flow",
        solution__partner__name="Acme Partners",
        solution__marketplace=Marketplace.TERRASOFT,
        version__number="1.2.0",
    )

    response = queue(client)

    assert queue_rows(response) == [
        [
            str(application.pk),
            "Doc Flow 1.2.0",
            "Acme Partners",
            "marketplace.terrasoft.ru",
            "Submitted",
            "—",
            "3 d 0 h",
            "—",
            "not needed",
            "Schedule the set-up meeting with the partner.",
        ]
    ]


def test_queue_leaves_out_drafts_and_closed_requests(client, analyst):
    request_in(S.DRAFT)
    request_in(S.DECLINED)
    request_in(S.WITHDRAWN)
    open_one = request_in(S.DEFERRED)

    response = queue(client)

    assert queue_ids(response) == [open_one.pk]


@pytest.fixture
def mixed_queue():
    """One request in each open state past the draft, waiting longest in stage 1."""
    return {
        state: request_in(state, waiting_days=20 - n)
        for n, state in enumerate(
            [
                S.SUBMITTED,
                S.MEETING_SCHEDULED,
                S.READINESS_REVIEW,
                S.AWAITING_APPROVAL,
                S.DEFERRED,
                S.AWAITING_MATERIALS,
            ]
        )
    }


@pytest.mark.parametrize(
    ("stage", "states"),
    [
        ("1", [S.SUBMITTED, S.MEETING_SCHEDULED, S.READINESS_REVIEW]),
        ("2", [S.AWAITING_APPROVAL, S.DEFERRED]),
        ("3", [S.AWAITING_MATERIALS]),
        ("4", []),
    ],
)
def test_queue_filters_by_stage(client, analyst, mixed_queue, stage, states):
    response = queue(client, stage=stage)

    assert queue_ids(response) == [mixed_queue[state].pk for state in states]


def test_queue_filter_of_the_regular_audit_stage_lists_the_certified(client, analyst, mixed_queue):
    """Stage 5 holds no open request: its filter, with the default state, lists the certified
    requests rather than nothing."""
    certified = request_in(S.CERTIFIED)
    request_in(S.DECLINED)

    response = queue(client, stage="5")

    assert queue_ids(response) == [certified.pk]


def test_queue_filters_by_state_including_a_closed_one(client, analyst, mixed_queue):
    declined = request_in(S.DECLINED)

    deferred = queue(client, state=S.DEFERRED)
    closed = queue(client, state=S.DECLINED)

    assert queue_ids(deferred) == [mixed_queue[S.DEFERRED].pk]
    assert queue_ids(closed) == [declined.pk]


def test_queue_filters_by_marketplace(client, analyst):
    request_in(S.SUBMITTED, solution__marketplace=Marketplace.CREATIO)
    russian = request_in(S.SUBMITTED, solution__marketplace=Marketplace.TERRASOFT)

    response = queue(client, marketplace=Marketplace.TERRASOFT)

    assert queue_ids(response) == [russian.pk]


def test_queue_filters_by_priority(client, analyst):
    high = request_in(S.AWAITING_APPROVAL)
    low = request_in(S.DEFERRED)
    Application.objects.filter(pk=low.pk).update(priority=Priority.LOW)
    request_in(S.SUBMITTED)

    response = queue(client, priority=str(Priority.LOW.value))

    assert queue_ids(response) == [low.pk]
    assert queue_rows(response)[0][5] == "Low — narrow need"
    assert high.priority == Priority.HIGH


@pytest.mark.parametrize("term", ["telephony connector", "NORTHWIND", "nw-tel"])
def test_queue_searches_solution_and_partner_names(client, analyst, term):
    partner = PartnerFactory(name="Northwind Integrations")
    found = request_in(
        S.SUBMITTED,
        solution=SolutionFactory(name="Telephony Connector", slug="nw-telephony", partner=partner),
    )
    request_in(S.SUBMITTED, solution__name="Document Flow")

    response = queue(client, q=term)

    assert queue_ids(response) == [found.pk]


def test_queue_shows_an_empty_state(client, analyst):
    request_in(S.SUBMITTED, solution__name="Phone")

    response = queue(client, q="nothing like it")

    assert queue_rows(response) == [["No request matches these filters."]]
    assert texts(response, "p", **{"class": "text-muted small"}) == [
        "0 requests, longest waiting first."
    ]


def test_queue_paginates_and_keeps_the_filters(client, analyst, settings):
    settings.QUEUE_PAGE_SIZE = 2
    made = [
        request_in(S.SUBMITTED, waiting_days=10 - n, solution__marketplace=Marketplace.CREATIO)
        for n in range(5)
    ]
    request_in(S.SUBMITTED, solution__marketplace=Marketplace.TERRASOFT)

    first = queue(client, marketplace=Marketplace.CREATIO)
    last = queue(client, marketplace=Marketplace.CREATIO, page="3")

    assert queue_ids(first) == [made[0].pk, made[1].pk]
    assert queue_ids(last) == [made[4].pk]
    (pages,) = find_all(first, "ul", **{"class": "pagination"})
    assert texts(pages, "li") == ["Page 1 of 3", "Next"]
    assert [attr(a, "href") for a in find_all(pages, "a")] == ["?marketplace=creatio&page=2"]


# --- The request page -------------------------------------------------------------------


def action_labels(response):
    (actions,) = find_all(response, data_testid="actions")
    labels = texts(actions, "a") + texts(actions, "button")
    return sorted(labels)


@pytest.mark.parametrize(
    ("state", "role", "labels"),
    [
        (S.DRAFT, "own_partner", ["Edit the request", "Submit the request", "Withdraw"]),
        (S.DRAFT, "analyst", []),
        (S.SUBMITTED, "own_partner", ["Withdraw"]),
        (S.SUBMITTED, "analyst", ["Schedule the set-up meeting"]),
        (S.SUBMITTED, "leader", []),
        (S.MEETING_SCHEDULED, "own_partner", ["Withdraw"]),
        (S.MEETING_SCHEDULED, "analyst", ["Move the meeting", "Record the meeting"]),
        (S.READINESS_REVIEW, "own_partner", ["Withdraw"]),
        (
            S.READINESS_REVIEW,
            "analyst",
            ["Accept or decline", "Score readiness", "Stage-2 facts"],
        ),
        (S.READINESS_REVIEW, "leader", ["Stage-2 facts"]),
        (S.AWAITING_APPROVAL, "own_partner", ["Withdraw"]),
        (S.AWAITING_APPROVAL, "analyst", ["Stage-2 facts"]),
        (S.AWAITING_APPROVAL, "leader", ["Decide in the admin", "Stage-2 facts"]),
        (S.DEFERRED, "leader", ["Decide in the admin", "Stage-2 facts"]),
        (S.AWAITING_MATERIALS, "own_partner", ["Withdraw"]),
        (S.AWAITING_MATERIALS, "leader", []),
        (S.DECLINED, "own_partner", []),
        (S.WITHDRAWN, "analyst", []),
        (S.AWAITING_APPROVAL, "rnd_expert", []),
        (S.AWAITING_APPROVAL, "auditor", []),
    ],
)
def test_request_page_offers_only_the_users_actions(client, state, role, labels):
    application = request_in(state)
    client.force_login(actor(role, application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert action_labels(response) == labels


def test_request_page_shows_the_timeline(client):
    application = request_in(S.DRAFT)
    partner = actor("own_partner", application)
    partner.first_name, partner.last_name = "Nina", "Partner"
    partner.save()
    analyst = actor("analyst")
    analyst.first_name, analyst.last_name = "Anna", "Analyst"
    analyst.save()
    services.application_submit(application=application, by=partner)
    services.meeting_schedule(
        application=application,
        by=analyst,
        scheduled_for=timezone.now() + timedelta(days=2),
        location="Room 4",
    )
    services.application_withdraw(application=application, by=partner, reason="Sold it.")
    client.force_login(partner)

    response = client.get(reverse("application_detail", args=[application.pk]))

    (timeline,) = find_all(response, data_testid="timeline")
    entries = find_all(timeline, "li")
    assert [text(entry.children[0]) for entry in entries] == [
        "Submitted from Draft",
        "Set-up meeting scheduled from Submitted",
        "Withdrawn from Set-up meeting scheduled",
    ]
    assert [text(entry.children[1]).split(" · ")[1] for entry in entries] == [
        "Nina Partner",
        "Anna Analyst",
        "Nina Partner",
    ]
    assert text(entries[2].children[2]) == "Sold it."


def test_request_page_of_a_draft_says_not_submitted_yet(client):
    application = request_in(S.DRAFT)
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert by_testid(response, "timeline") == "Not submitted yet."
    assert by_testid(response, "awaited") == (
        "Awaited from you: Check the request and submit it. "
        "Where: the request's actions, below on this page. Go there"
    )


def test_request_page_tells_the_team_the_next_step(client):
    application = request_in(S.SUBMITTED)
    client.force_login(actor("analyst"))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert by_testid(response, "awaited") == (
        "Next step: Schedule the set-up meeting with the partner. "
        "Where: the request's actions, below on this page. Go there"
    )


def test_request_page_shows_internal_notes_to_the_team_only(client):
    application = request_in(S.READINESS_REVIEW)
    partner = actor("own_partner", application)

    client.force_login(partner)
    for_partner = client.get(reverse("application_detail", args=[application.pk]))
    client.force_login(actor("analyst"))
    for_team = client.get(reverse("application_detail", args=[application.pk]))

    assert find_all(for_partner, data_testid="readiness") == []
    assert "Went well." not in for_partner.content.decode()
    assert len(find_all(find_all(for_team, data_testid="readiness")[0], "tr")) == 4
    assert "Went well." in texts(for_team, "p", **{"class": "small text-muted"})


def test_request_page_says_why_the_leader_cannot_approve(client):
    application = request_in(S.AWAITING_APPROVAL)
    services.approval_facts_save(
        application=application,
        by=actor("analyst"),
        facts=services.ApprovalFactsInput(
            overlap_note="", roadmap_conflict=False, roadmap_note="", customer_requests=0
        ),
    )
    client.force_login(actor("leader"))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert texts(response, data_testid="blocked") == [
        "The stage-2 facts (portfolio overlap, roadmap, customer requests) must be recorded "
        "first (R2.2, R2.4)."
    ]


# --- Query counts: lists must not grow a query per row -----------------------------------


def _requests_of(partner, count):
    states = [S.SUBMITTED, S.AWAITING_APPROVAL, S.WITHDRAWN]
    for n in range(count):
        request_in(states[n % 3], solution__partner=partner, waiting_days=n + 1)


@pytest.mark.parametrize("count", [3, 15])
def test_dashboard_query_count_does_not_grow(client, django_assert_num_queries, settings, count):
    """A page of open requests and a page of closed ones, whatever their numbers."""
    settings.DASHBOARD_PAGE_SIZE = 4
    partner = PartnerFactory()
    _requests_of(partner, count)
    client.force_login(actor("own_partner", SolutionFactory(partner=partner)))

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    open_cards = find_all(response, "div", **{"class": "card mb-3"})
    closed_rows = find_all(response, "tr")[1:]
    assert (len(open_cards), len(closed_rows)) == (min(count * 2 // 3, 4), min(count // 3, 4))


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_does_not_grow(client, django_assert_num_queries, count):
    for n in range(count):
        request_in([S.SUBMITTED, S.AWAITING_APPROVAL, S.DEFERRED][n], waiting_days=n + 1)
    client.force_login(actor("analyst"))

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("queue"))

    assert len(queue_ids(response)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_solution_list_query_count_does_not_grow(client, django_assert_num_queries, count):
    partner = PartnerFactory()
    for _ in range(count):
        SolutionFactory(partner=partner)
    client.force_login(actor("own_partner", SolutionFactory(partner=partner)))

    with django_assert_num_queries(SOLUTION_LIST_QUERIES):
        response = client.get(reverse("solution_list"))

    assert len(find_all(response, "tr")) == count + 2


# Session, user, roles, the partner of the navigation bar, then the page's own reads (the
# dashboard: the number and the page of open requests, and of closed ones).
DASHBOARD_QUERIES = 10  # with the certified solutions' count and the badges that need the partner
# The queue: with the "Audits due" panel (late regular audits, late actions), the team for the
# assignee filter and the batch assignment, and the viewer's conflicts of interest.
QUEUE_QUERIES = 9
SOLUTION_LIST_QUERIES = 6


def test_detail_keeps_meeting_notes_from_the_partner(client, on_commit):
    application = ApplicationFactory(state=S.MEETING_SCHEDULED)
    analyst = UserFactory(analyst=True)
    SetupMeetingFactory(application=application, organiser=analyst)
    partner = UserFactory(role="Partner", partner=application.solution.partner)
    on_commit(
        services.meeting_record,
        application=application,
        by=analyst,
        held_at=datetime(2030, 3, 14, 10, 30, tzinfo=UTC),
        notes="Their support lead seemed unsure about weekend coverage.",
    )

    client.force_login(partner)
    for_partner = client.get(reverse("application_detail", args=[application.pk]))
    client.force_login(analyst)
    for_analyst = client.get(reverse("application_detail", args=[application.pk]))

    assert "Set-up meeting held on 14 Mar 2030, 10:30 UTC." in for_partner.text
    assert "weekend coverage" not in for_partner.text
    assert "weekend coverage" in for_analyst.text


@pytest.mark.parametrize("state", list(S))
def test_dashboard_says_what_is_awaited_in_every_state(client, state):
    application = ApplicationFactory(state=state)
    partner = UserFactory(role="Partner", partner=application.solution.partner)
    client.force_login(partner)

    page = client.get(reverse("dashboard"))

    assert page.status_code == 200
    assert application.solution.name in page.text
