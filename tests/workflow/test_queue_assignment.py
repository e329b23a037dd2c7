"""The team's work organised: requests assigned to an analyst and an R&D expert, "my requests",
the queue sorted by each column with remembered filters, batch assignment, and conflicts of
interest that keep a team member away from a partner's requests."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.urls import reverse

from accounts.enums import NotificationChoice, NotificationKind
from certportal.errors import ActionRefused
from outbox.models import Notice
from workflow import services
from workflow.enums import ApplicationState, AssignmentRole
from workflow.models import Application, AssignmentEvent
from workflow.tasks import notify_assignment

from ..factories.accounts import NotificationPreferenceFactory, UserFactory
from ..factories.workflow import ApplicationFactory, PartnerFactory, actor, with_state_records
from .markup import alerts, attr, find_all, text, texts

S = ApplicationState
ANALYST, RND = AssignmentRole.ANALYST, AssignmentRole.RND_EXPERT
pytestmark = pytest.mark.django_db


def request_in(state=S.SUBMITTED, **kwargs):
    return with_state_records(ApplicationFactory(state=state, **kwargs))


def analyst_named(first, last, **kwargs):
    return UserFactory(analyst=True, first_name=first, last_name=last, **kwargs)


def conflicted(user, *partners):
    user.conflicted_partners.add(*partners)
    user.__dict__.pop("_conflicted_partner_ids", None)
    return user


def stored(application):
    return Application.objects.select_related("assigned_analyst", "assigned_rnd_expert").get(
        pk=application.pk
    )


def history(application):
    return list(
        AssignmentEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("role", "assignee__username", "previous__username", "by__username")
    )


def queue_ids(response):
    (table,) = find_all(response, "table")
    return [int(row[0]) for row in (texts(tr, "td") for tr in find_all(table, "tr")[1:])]


def options(response, field_id):
    (select,) = find_all(response, "select", id=field_id)
    return [text(option) for option in find_all(select, "option")]


# --- The service: one request ---------------------------------------------------------------


def test_assigning_an_analyst_records_it_and_mails_them(on_commit):
    application = request_in()
    lead, jane = actor("analyst"), analyst_named("Jane", "Roe", email="jane@example.com")

    on_commit(
        services.application_assign,
        application=application,
        by=lead,
        role=ANALYST,
        assignee=jane,
        comment="Yours, you know the partner.",
    )

    assert stored(application).assigned_analyst == jane
    assert history(application) == [("analyst", jane.username, None, lead.username)]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["jane@example.com"],
            f"[Certification] Request #{application.pk} ({application.solution.name}) "
            "assigned to you as analyst",
        )
    ]
    assert "Yours, you know the partner." in mail.outbox[0].body


@pytest.mark.parametrize(
    ("choice", "decision"),
    [
        (NotificationChoice.NONE, Notice.Decision.SKIPPED),
        (NotificationChoice.DIGEST, Notice.Decision.HELD),
    ],
)
def test_an_assignee_who_chose_no_mail_or_the_digest_for_assignments_is_not_mailed_now(
    on_commit, choice, decision
):
    application = request_in()
    lead, jane = actor("analyst"), analyst_named("Jane", "Roe", email="jane@example.com")
    NotificationPreferenceFactory(user=jane, kind=NotificationKind.ASSIGNMENT, choice=choice)

    on_commit(
        services.application_assign, application=application, by=lead, role=ANALYST, assignee=jane
    )

    assert stored(application).assigned_analyst == jane
    assert mail.outbox == []
    assert list(Notice.objects.values_list("recipient", "kind", "decision")) == [
        ("jane@example.com", NotificationKind.ASSIGNMENT, decision)
    ]
    assert Notice.objects.get().subject == (
        f"[Certification] Request #{application.pk} ({application.solution.name}) "
        "assigned to you as analyst"
    )


def test_unassigning_keeps_who_had_it_in_the_history(on_commit):
    application = request_in()
    lead, jane = actor("analyst"), analyst_named("Jane", "Roe")
    on_commit(
        services.application_assign, application=application, by=lead, role=ANALYST, assignee=jane
    )

    on_commit(
        services.application_assign, application=application, by=lead, role=ANALYST, assignee=None
    )

    assert stored(application).assigned_analyst is None
    assert history(application) == [
        ("analyst", jane.username, None, lead.username),
        ("analyst", None, jane.username, lead.username),
    ]


def test_assigning_oneself_sends_no_mail_and_assigning_again_changes_nothing(on_commit):
    application = request_in()
    jane = analyst_named("Jane", "Roe")
    on_commit(
        services.application_assign, application=application, by=jane, role=ANALYST, assignee=jane
    )

    again = services.application_assign(
        application=application, by=jane, role=ANALYST, assignee=jane
    )

    assert again is None
    assert len(history(application)) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["rnd_expert", "leader", "own_partner", "inactive"])
def test_only_an_active_analyst_can_be_the_analyst(who):
    application = request_in()
    person = (
        UserFactory(analyst=True, is_active=False) if who == "inactive" else actor(who, application)
    )

    with pytest.raises(ActionRefused) as refused:
        services.application_assign(
            application=application, by=actor("analyst"), role=ANALYST, assignee=person
        )

    assert f"{person.get_full_name()} is not an active Marketplace analyst" in str(refused.value)
    assert stored(application).assigned_analyst is None
    assert history(application) == []


def test_r37_an_rnd_expert_is_assigned_only_where_dod_9_10_apply(on_commit):
    """R3.7: DoD 9–10, and so their R&D expert, apply only to a solution with external
    services."""
    without = request_in(S.IN_REVIEW, solution__uses_external_services=False)
    integrated = request_in(S.IN_REVIEW, solution__uses_external_services=True)
    lead, expert = actor("analyst"), actor("rnd_expert")

    with pytest.raises(ActionRefused) as refused:
        services.application_assign(application=without, by=lead, role=RND, assignee=expert)
    on_commit(
        services.application_assign, application=integrated, by=lead, role=RND, assignee=expert
    )

    assert "uses no external service" in str(refused.value)
    assert stored(without).assigned_rnd_expert is None
    assert stored(integrated).assigned_rnd_expert == expert


def test_an_analyst_cannot_be_the_rnd_expert():
    application = request_in(S.IN_REVIEW, solution__uses_external_services=True)

    with pytest.raises(ActionRefused):
        services.application_assign(
            application=application, by=actor("analyst"), role=RND, assignee=actor("analyst")
        )

    assert stored(application).assigned_rnd_expert is None


def test_an_analyst_with_a_conflict_of_interest_is_refused():
    application = request_in(solution__partner__name="Acme")
    tied = conflicted(analyst_named("Tied", "Up"), application.solution.partner)

    with pytest.raises(ActionRefused) as refused:
        services.application_assign(
            application=application, by=actor("analyst"), role=ANALYST, assignee=tied
        )

    assert refused.value.reasons == [
        f"Request #{application.pk}: Tied Up has a conflict of interest with Acme.",
        "Nothing was assigned.",
    ]
    assert stored(application).assigned_analyst is None


def test_a_team_member_with_a_conflict_of_interest_cannot_assign_that_request():
    application = request_in(solution__partner__name="Acme")
    tied = conflicted(actor("analyst"), application.solution.partner)

    with pytest.raises(ActionRefused) as refused:
        services.application_assign(
            application=application, by=tied, role=ANALYST, assignee=analyst_named("A", "B")
        )

    assert "you have a conflict of interest with Acme" in str(refused.value)
    assert history(application) == []


@pytest.mark.parametrize("state", [S.DRAFT, S.DECLINED, S.WITHDRAWN])
def test_a_request_no_longer_worked_on_is_not_assigned(state):
    application = ApplicationFactory(state=state)

    with pytest.raises(ActionRefused):
        services.application_assign(
            application=application, by=actor("analyst"), role=ANALYST, assignee=actor("analyst")
        )

    assert history(application) == []


@pytest.mark.parametrize("role", ["own_partner", "rnd_expert", "auditor"])
def test_who_may_not_assign_is_refused(role):
    application = request_in()

    with pytest.raises(PermissionDenied):
        services.application_assign(
            application=application,
            by=actor(role, application),
            role=ANALYST,
            assignee=actor("analyst"),
        )

    assert history(application) == []


def test_a_leader_may_assign():
    application = request_in()
    jane = analyst_named("Jane", "Roe")

    services.application_assign(
        application=application, by=actor("leader"), role=ANALYST, assignee=jane
    )

    assert stored(application).assigned_analyst == jane


def test_two_analysts_assigning_at_once_the_last_wins_and_both_are_in_the_history():
    application = request_in()
    first, second = analyst_named("First", "One"), analyst_named("Second", "Two")
    # Both loaded the request before either assigned it.
    copy_one = Application.objects.get(pk=application.pk)
    copy_two = Application.objects.get(pk=application.pk)

    services.application_assign(application=copy_one, by=first, role=ANALYST, assignee=first)
    services.application_assign(application=copy_two, by=second, role=ANALYST, assignee=second)

    assert stored(application).assigned_analyst == second
    assert history(application) == [
        ("analyst", first.username, None, first.username),
        ("analyst", second.username, first.username, second.username),
    ]


def _in_thread(target):
    """Run `target` in a thread with its own database connection, closed when it ends."""

    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_an_assignment_waits_for_one_in_progress_on_the_same_request():
    """The request's row is locked while it is assigned: a second assignment made meanwhile
    waits for the first to commit, then records it as the previous assignee."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: its writes are serialised anyway.")
    application = request_in()
    first, second = analyst_named("First", "One"), analyst_named("Second", "Two")
    holding, release = threading.Event(), threading.Event()

    def first_assigns_and_holds():
        with transaction.atomic():
            services.application_assign(
                application=Application.objects.get(pk=application.pk),
                by=first,
                role=ANALYST,
                assignee=first,
            )
            holding.set()
            release.wait(5)

    def second_assigns():
        services.application_assign(
            application=Application.objects.get(pk=application.pk),
            by=second,
            role=ANALYST,
            assignee=second,
        )

    holder = _in_thread(first_assigns_and_holds)
    assert holding.wait(5)
    waiter = _in_thread(second_assigns)
    waiter.join(0.5)
    waited = waiter.is_alive()
    release.set()
    holder.join(5)
    waiter.join(5)

    assert waited
    assert stored(application).assigned_analyst == second
    assert history(application) == [
        ("analyst", first.username, None, first.username),
        ("analyst", second.username, first.username, second.username),
    ]


def test_the_assignment_mail_goes_once_however_often_its_task_runs(on_commit):
    application = request_in()
    on_commit(
        services.application_assign,
        application=application,
        by=actor("analyst"),
        role=ANALYST,
        assignee=analyst_named("Jane", "Roe"),
    )
    event = AssignmentEvent.objects.get(application=application)

    again = notify_assignment(event_id=event.pk)

    assert again == 0
    assert len(mail.outbox) == 1


# --- The service: a batch -------------------------------------------------------------------


def test_a_batch_assigns_all_in_one_go(on_commit):
    one, two = request_in(), request_in(S.IN_REVIEW)
    lead, jane = actor("analyst"), analyst_named("Jane", "Roe")

    events = on_commit(
        services.applications_assign,
        by=lead,
        application_ids=[one.pk, two.pk],
        role=ANALYST,
        assignee=jane,
    )

    assert len(events) == 2
    assert [stored(a).assigned_analyst for a in (one, two)] == [jane, jane]
    assert len(mail.outbox) == 2


def test_a_batch_with_one_conflicted_request_assigns_none_of_them():
    free, tied_up = request_in(), request_in(solution__partner__name="Acme")
    jane = conflicted(analyst_named("Jane", "Roe"), tied_up.solution.partner)

    with pytest.raises(ActionRefused) as refused:
        services.applications_assign(
            by=actor("analyst"), application_ids=[free.pk, tied_up.pk], role=ANALYST, assignee=jane
        )

    assert refused.value.reasons == [
        f"Request #{tied_up.pk}: Jane Roe has a conflict of interest with Acme.",
        "Nothing was assigned.",
    ]
    assert [stored(a).assigned_analyst for a in (free, tied_up)] == [None, None]
    assert AssignmentEvent.objects.count() == 0


def test_a_batch_naming_a_request_that_does_not_exist_assigns_nothing():
    real = request_in()

    with pytest.raises(ActionRefused) as refused:
        services.applications_assign(
            by=actor("analyst"),
            application_ids=[real.pk, 999_999],
            role=ANALYST,
            assignee=analyst_named("Jane", "Roe"),
        )

    assert "Request #999999 does not exist." in refused.value.reasons
    assert stored(real).assigned_analyst is None


# --- The batch on the queue page --------------------------------------------------------------


@pytest.fixture
def lead(client):
    user = analyst_named("Lea", "Lead")
    client.force_login(user)
    return user


def batch(client, ids, assignee, role="analyst", **extra):
    data = {"applications": ids, "role": role, "assignee": assignee or "none", **extra}
    return client.post(reverse("queue_assign"), data)


def test_batch_asks_first_naming_how_many_and_whom_then_assigns(client, lead):
    one, two = request_in(), request_in()
    jane = analyst_named("Jane", "Roe")

    asked = batch(client, [one.pk, two.pk], jane.pk)
    done = batch(client, [one.pk, two.pk], jane.pk, confirmed="on")

    assert texts(asked, "h1") == ["Assign 2 requests to Jane Roe as analyst?"]
    assert [stored(a).assigned_analyst for a in (one, two)] == [jane, jane]
    assert done.url == reverse("queue")
    assert alerts(client.get(done.url)) == ["2 requests assigned to Jane Roe as analyst."]


def test_batch_unassigns_after_asking(client, lead):
    application = request_in()
    services.application_assign(application=application, by=lead, role=ANALYST, assignee=lead)

    asked = batch(client, [application.pk], None)
    batch(client, [application.pk], None, confirmed="on")

    assert texts(asked, "h1") == ["Unassign the analyst of 1 request?"]
    assert stored(application).assigned_analyst is None


def test_batch_without_a_person_chosen_asks_for_one(client, lead):
    application = request_in()

    response = client.post(
        reverse("queue_assign"), {"applications": [application.pk], "role": "analyst"}
    )

    assert texts(response, data_testid="refusal") == [
        "Assign selected to: Choose whom to assign them to."
    ]
    assert history(application) == []


def test_batch_confirmation_names_the_conflicted_request_and_offers_no_confirmation(client, lead):
    free, tied_up = request_in(), request_in(solution__partner__name="Acme")
    jane = conflicted(analyst_named("Jane", "Roe"), tied_up.solution.partner)

    asked = batch(client, [free.pk, tied_up.pk], jane.pk)

    assert texts(asked, data_testid="refusal") == [
        f"Request #{tied_up.pk}: Jane Roe has a conflict of interest with Acme."
    ]
    assert find_all(asked, "input", name="confirmed") == []
    assert texts(asked, "p", **{"class": ""})[-1:] == ["Nothing was assigned."]
    assert AssignmentEvent.objects.count() == 0


def test_batch_confirmed_despite_a_conflict_assigns_none(client, lead):
    free, tied_up = request_in(), request_in(solution__partner__name="Acme")
    jane = conflicted(analyst_named("Jane", "Roe"), tied_up.solution.partner)

    response = batch(client, [free.pk, tied_up.pk], jane.pk, confirmed="on")

    assert texts(response, data_testid="refusal") == [
        f"Request #{tied_up.pk}: Jane Roe has a conflict of interest with Acme.",
        "Nothing was assigned.",
    ]
    assert AssignmentEvent.objects.count() == 0


def test_batch_to_someone_who_is_not_an_analyst_says_so(client, lead):
    application = request_in()
    partner = actor("own_partner", application)

    response = batch(client, [application.pk], partner.pk, confirmed="on")

    assert texts(response, data_testid="refusal") == [
        f"{partner.get_full_name()} is not an active Marketplace analyst: only they can be "
        "assigned as analyst.",
        "Nothing was assigned.",
    ]
    assert stored(application).assigned_analyst is None


def test_batch_with_bad_numbers_or_nothing_ticked_says_so(client, lead):
    nothing = batch(client, [], analyst_named("Jane", "Roe").pk)
    missing = batch(client, [424242], analyst_named("Joe", "Doe").pk)

    assert texts(nothing, data_testid="refusal") == ["Requests: Tick the requests to assign first."]
    assert texts(missing, data_testid="refusal") == ["Request #424242 does not exist."]
    assert AssignmentEvent.objects.count() == 0


# --- The queue: my requests, the assignee filter, conflicts ------------------------------------


def test_my_requests_lists_what_is_assigned_to_me_as_analyst_or_rnd_expert(client):
    expert = actor("rnd_expert")
    analyst = analyst_named("Ann", "Lyst")
    as_analyst, as_expert, other = (
        request_in(),
        request_in(S.IN_REVIEW, solution__uses_external_services=True),
        request_in(),
    )
    services.application_assign(application=as_analyst, by=analyst, role=ANALYST, assignee=analyst)
    services.application_assign(application=as_expert, by=analyst, role=RND, assignee=expert)
    services.application_assign(application=as_expert, by=analyst, role=ANALYST, assignee=analyst)
    client.force_login(analyst)

    mine = client.get(reverse("queue"), {"assignee": "me"})
    client.force_login(expert)
    experts = client.get(reverse("queue"), {"assignee": "me"})

    assert sorted(queue_ids(mine)) == sorted([as_analyst.pk, as_expert.pk])
    assert queue_ids(experts) == [as_expert.pk]
    assert other.pk not in queue_ids(mine)


def test_my_requests_leaves_out_a_partner_i_am_conflicted_with(client):
    analyst = analyst_named("Ann", "Lyst")
    kept, tied_up = request_in(), request_in()
    for application in (kept, tied_up):
        services.application_assign(
            application=application, by=analyst, role=ANALYST, assignee=analyst
        )
    # The tie became known after the request was assigned.
    conflicted(analyst, tied_up.solution.partner)
    client.force_login(analyst)

    response = client.get(reverse("queue"), {"assignee": "me"})

    assert queue_ids(response) == [kept.pk]


def test_my_requests_empty_state(client, lead):
    request_in()

    response = client.get(reverse("queue"), {"assignee": "me"})

    assert texts(response, "td") == ["No request is assigned to you with these filters."]


def test_assignee_filter_finds_the_unassigned_and_a_given_person(client, lead):
    jane = analyst_named("Jane", "Roe")
    hers, nobodys = request_in(), request_in()
    services.application_assign(application=hers, by=lead, role=ANALYST, assignee=jane)

    unassigned = client.get(reverse("queue"), {"assignee": "none"})
    janes = client.get(reverse("queue"), {"assignee": str(jane.pk)})

    assert queue_ids(unassigned) == [nobodys.pk]
    assert queue_ids(janes) == [hers.pk]
    assert "Jane Roe" in options(janes, "id_assignee")


def test_queue_offers_no_checkbox_for_a_partner_i_am_conflicted_with(client):
    analyst = analyst_named("Ann", "Lyst")
    free, tied_up = request_in(), request_in()
    conflicted(analyst, tied_up.solution.partner)
    client.force_login(analyst)

    response = client.get(reverse("queue"))

    boxes = find_all(response, "input", type="checkbox", name="applications")
    assert [int(attr(box, "value")) for box in boxes] == [free.pk]
    assert texts(response, data_testid="conflict") == ["Your conflict of interest"]


def test_queue_offers_no_batch_to_who_may_not_assign(client):
    request_in()
    client.force_login(actor("auditor"))

    response = client.get(reverse("queue"))

    assert find_all(response, "input", type="checkbox") == []
    assert find_all(response, data_testid="batch-controls") == []


# --- The queue: sorting and remembered filters ---------------------------------------------------


@pytest.fixture
def three(lead):
    """Three requests that sort differently by each column."""
    zed = analyst_named("Zed", "Zulu")
    apps = [
        request_in(S.IN_REVIEW, solution__name="Bravo", solution__partner__name="Charlie Ltd"),
        request_in(S.SUBMITTED, solution__name="Alpha", solution__partner__name="Able Corp"),
        request_in(S.AWAITING_APPROVAL, solution__name="Cobra", solution__partner__name="Baker"),
    ]
    services.application_assign(application=apps[0], by=lead, role=ANALYST, assignee=zed)
    services.application_assign(application=apps[2], by=lead, role=ANALYST, assignee=lead)
    return apps


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("id", [0, 1, 2]),
        ("-id", [2, 1, 0]),
        ("solution", [1, 0, 2]),
        ("-solution", [2, 0, 1]),
        ("partner", [1, 2, 0]),
        ("-partner", [0, 2, 1]),
        ("state", [1, 2, 0]),
        ("-state", [0, 2, 1]),
        ("next", [1, 2, 0]),
        ("analyst", [2, 0, 1]),
        ("-analyst", [0, 2, 1]),
    ],
)
def test_queue_sorts_by_a_column_both_ways(client, three, sort, order):
    response = client.get(reverse("queue"), {"sort": sort})

    assert queue_ids(response) == [three[n].pk for n in order]


# Every column of the queue but the tick box.
COLUMN_KEYS = (
    *("id", "solution", "partner", "marketplace", "state"),
    *("priority", "waiting", "analyst", "rnd_expert", "next"),
)


@pytest.mark.parametrize("key", COLUMN_KEYS)
def test_every_column_header_links_to_its_sort_and_says_how_it_is_sorted(client, three, key):
    ascending = client.get(reverse("queue"), {"sort": key})
    descending = client.get(reverse("queue"), {"sort": f"-{key}"})

    (header,) = [th for th in find_all(ascending, "th") if find_all(th, "a", data_sort=key)]
    (header_desc,) = [th for th in find_all(descending, "th") if find_all(th, "a", data_sort=key)]
    assert attr(header, "aria-sort") == "ascending"
    assert attr(find_all(header, "a")[0], "href").endswith(f"sort=-{key}")
    assert attr(header_desc, "aria-sort") == "descending"
    assert attr(find_all(header_desc, "a")[0], "href").endswith(f"sort={key}")
    assert len(queue_ids(ascending)) == 3


def test_an_unknown_sort_key_says_so_and_keeps_the_usual_order(client, three):
    usual = queue_ids(client.get(reverse("queue")))

    response = client.get(reverse("queue"), {"sort": "password"})

    assert texts(response, data_testid="filter-error") == [
        "Sort: The queue cannot be sorted by “password”: it is shown in its usual order."
    ]
    assert queue_ids(response) == usual
    assert client.get(reverse("queue")).status_code == 200  # nothing remembered


def test_the_queue_remembers_my_filters_until_i_reset_them(client, three):
    client.get(reverse("queue"), {"stage": "1", "sort": "-id"})

    back = client.get(reverse("queue"))
    restored = client.get(back.url)
    reset = client.get(reverse("queue"), {"reset": "1"})
    after_reset = client.get(reverse("queue"))

    assert back.url == reverse("queue") + "?stage=1&sort=-id"
    assert queue_ids(restored) == [three[1].pk]
    assert texts(restored, data_testid="remembered") == [
        "These filters are kept for your next visit to the queue."
    ]
    assert reset.url == reverse("queue")
    assert after_reset.status_code == 200
    assert sorted(queue_ids(after_reset)) == sorted(a.pk for a in three)


def test_remembered_filters_are_each_persons_own(client, three):
    client.get(reverse("queue"), {"stage": "1"})
    client.force_login(analyst_named("Other", "Person"))

    response = client.get(reverse("queue"))

    assert response.status_code == 200
    assert len(queue_ids(response)) == 3


@pytest.mark.parametrize("count", [1, 3])
def test_sorted_and_filtered_queue_query_count_does_not_grow(
    client, lead, django_assert_num_queries, count
):
    for _ in range(count):
        application = request_in()
        services.application_assign(application=application, by=lead, role=ANALYST, assignee=lead)

    # The plain queue's 9, and the session saving the filters it remembers (its UPDATE, in a
    # savepoint).
    with django_assert_num_queries(12):
        response = client.get(reverse("queue"), {"assignee": "me", "sort": "analyst"})

    assert len(queue_ids(response)) == count


# --- The request page ----------------------------------------------------------------------------


def test_request_page_offers_only_analysts_without_a_conflict(client, lead):
    application = request_in(solution__uses_external_services=True)
    analyst_named("Free", "Analyst")
    conflicted(analyst_named("Tied", "Analyst"), application.solution.partner)
    UserFactory(rnd_expert=True, first_name="Rita", last_name="Expert")

    response = client.get(application.get_absolute_url())

    assert options(response, "id_analyst-assignee") == [
        "Choose…",
        "Nobody (unassign)",
        "Free Analyst",
        "Lea Lead",
    ]
    assert options(response, "id_rnd_expert-assignee") == [
        "Choose…",
        "Nobody (unassign)",
        "Rita Expert",
    ]


def test_request_page_assigns_and_shows_who_works_on_it(client, lead, on_commit):
    application = request_in()
    jane = analyst_named("Jane", "Roe")

    response = on_commit(
        client.post,
        reverse("application_assign", args=[application.pk]),
        {"analyst-role": "analyst", "analyst-assignee": jane.pk, "analyst-comment": ""},
    )
    page = client.get(response.url)

    assert response.url == application.get_absolute_url()
    assert alerts(page) == ["Jane Roe is now the analyst of this request; they have been told."]
    assert texts(page, id="id_analyst-assignee_helptext") == ["Now: Jane Roe."]
    assert len(mail.outbox) == 1


def test_request_page_refuses_a_conflicted_analyst_posted_anyway(client, lead):
    application = request_in(solution__partner__name="Acme")
    tied = conflicted(analyst_named("Tied", "Up"), application.solution.partner)

    response = client.post(
        reverse("application_assign", args=[application.pk]),
        {"analyst-role": "analyst", "analyst-assignee": tied.pk},
    )

    assert response.status_code == 200
    assert (
        f"Request #{application.pk}: Tied Up has a conflict of interest with Acme."
        in response.content.decode()
    )
    assert stored(application).assigned_analyst is None


def test_partner_sees_no_assignment_on_the_request_page(client):
    application = request_in()
    services.application_assign(
        application=application,
        by=actor("analyst"),
        role=ANALYST,
        assignee=analyst_named("Jane", "Roe"),
    )
    client.force_login(actor("own_partner", application))

    response = client.get(application.get_absolute_url())

    assert find_all(response, data_testid="assignment") == []
    assert "Jane Roe" not in response.content.decode()


def test_conflicts_of_interest_are_edited_in_the_user_admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    partner = PartnerFactory(name="Acme")
    analyst = analyst_named("Ann", "Lyst")

    response = client.get(reverse("admin:accounts_user_change", args=[analyst.pk]))

    assert "Acme" in options(response, "id_conflicted_partners")
    assert partner.conflicted_team_members.count() == 0
