"""A partner sees only its own records; the Marketplace team sees every partner's."""

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from catalogue.models import Solution, SolutionVersion
from workflow import services
from workflow.enums import ApplicationState
from workflow.models import Application

from ..factories.workflow import (
    ApplicationFactory,
    SolutionFactory,
    VersionFactory,
    actor,
    with_state_records,
)
from .markup import attr, by_testid, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

NOT_FOUND = "Not found There is nothing here, or it is not yours to see."
TEAM = ["analyst", "leader", "rnd_expert", "auditor"]


@pytest.fixture
def theirs():
    """Another partner's submitted request, with a timeline entry."""
    application = ApplicationFactory(
        state=S.DRAFT, solution__name="Their Secret Connector", version__number="3.1.0"
    )
    services.application_submit(application=application, by=actor("own_partner", application))
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def outsider(client, theirs):
    """A member of a different partner organisation, signed in."""
    user = actor("other_partner", theirs)
    client.force_login(user)
    return user


def snapshot(application):
    solution = Solution.objects.get(pk=application.solution_id)
    return (
        Application.objects.get(pk=application.pk).state,
        StateLog.objects.count(),
        (solution.name, solution.category, solution.is_published),
        SolutionVersion.objects.count(),
        Application.objects.count(),
    )


def _main(response) -> str:
    (main,) = find_all(response, "main")
    return text(main)


GET_PAGES = [
    ("solution_detail", "slug"),
    ("solution_edit", "slug"),
    ("version_create", "slug"),
    ("application_create", "slug"),
    ("application_detail", "pk"),
    ("application_withdraw", "pk"),
    ("meeting_schedule", "pk"),
    ("meeting_record", "pk"),
    ("readiness", "pk"),
    ("readiness_decide", "pk"),
    ("approval_facts", "pk"),
]


def _url(name, key, application):
    arg = application.solution.slug if key == "slug" else application.pk
    return reverse(name, args=[arg])


@pytest.mark.parametrize(("name", "key"), GET_PAGES)
def test_other_partners_page_is_not_found(client, theirs, outsider, name, key):
    url = _url(name, key, theirs)

    response = client.get(url)

    assert response.status_code == 404
    assert _main(response) == NOT_FOUND
    assert "Their Secret Connector" not in response.content.decode()


POSTS = [
    ("solution_edit", "slug", {"name": "Hijacked", "slug": "hijacked", "category": "X"}),
    ("version_create", "slug", {"number": "9.9.9"}),
    ("application_create", "slug", {"motivation": "Mine now."}),
    ("application_submit", "pk", {"seen_state": S.SUBMITTED}),
    ("application_withdraw", "pk", {"comment": "Withdrawn by a stranger."}),
    ("meeting_schedule", "pk", {"scheduled_for": "2030-01-01T10:00", "location": "Here"}),
]


@pytest.mark.parametrize(("name", "key", "data"), POSTS)
def test_other_partners_post_is_not_found_and_changes_nothing(
    client, theirs, outsider, name, key, data
):
    before = snapshot(theirs)

    response = client.post(_url(name, key, theirs), data)

    assert response.status_code == 404
    assert _main(response) == NOT_FOUND
    assert snapshot(theirs) == before


def test_other_partners_request_timeline_is_not_shown(client, theirs, outsider):
    response = client.get(reverse("application_detail", args=[theirs.pk]))

    assert find_all(response, data_testid="timeline") == []
    assert response.status_code == 404


@pytest.mark.parametrize("whose", ["theirs", "own"])
def test_admin_change_page_is_not_found_for_a_partner(client, theirs, whose):
    user = actor("other_partner" if whose == "theirs" else "own_partner", theirs)
    client.force_login(user)

    response = client.get(f"/admin/workflow/application/{theirs.pk}/change/")

    assert response.status_code == 404
    assert _main(response) == NOT_FOUND


def test_admin_index_is_not_found_for_a_partner(client, outsider):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 404


def test_own_pages_are_shown_to_the_partner(client, theirs):
    client.force_login(actor("own_partner", theirs))

    solution_page = client.get(reverse("solution_detail", args=[theirs.solution.slug]))
    request_page = client.get(reverse("application_detail", args=[theirs.pk]))

    assert texts(solution_page, "h1") == ["Their Secret Connector"]
    assert texts(request_page, "h1") == ["Their Secret Connector 3.1.0"]
    assert by_testid(request_page, "timeline").startswith("Submitted from Draft")


@pytest.mark.parametrize("role", TEAM)
def test_team_role_sees_every_partners_solution_and_request(client, theirs, role):
    client.force_login(actor(role))

    solution_page = client.get(reverse("solution_detail", args=[theirs.solution.slug]))
    request_page = client.get(reverse("application_detail", args=[theirs.pk]))
    admin_page = client.get(f"/admin/workflow/application/{theirs.pk}/change/")

    assert texts(solution_page, "h1") == ["Their Secret Connector"]
    assert texts(request_page, "h1") == ["Their Secret Connector 3.1.0"]
    assert by_testid(request_page, "timeline").startswith("Submitted from Draft")
    assert admin_page.status_code == 200
    assert admin_page.context["original"] == theirs


@pytest.mark.parametrize("role", TEAM)
def test_team_role_lists_every_partners_solutions(client, role):
    SolutionFactory(name="Alpha One")
    SolutionFactory(name="Beta Two")
    client.force_login(actor(role))

    response = client.get(reverse("solution_list"))

    assert [row[0] for row in _rows(response)] == ["Alpha One", "Beta Two"]


def _rows(response):
    (table,) = find_all(response, "table")
    return [texts(row, "td") for row in find_all(table, "tr")[1:]]


def test_solution_list_shows_only_own_solutions(client):
    mine = SolutionFactory(name="Mine A")
    SolutionFactory(name="Mine B", partner=mine.partner)
    SolutionFactory(name="Someone Else's")
    client.force_login(actor("own_partner", mine))

    response = client.get(reverse("solution_list"))

    assert [row[0] for row in _rows(response)] == ["Mine A", "Mine B"]


def test_dashboard_shows_only_own_requests(client):
    mine = with_state_records(ApplicationFactory(state=S.SUBMITTED, solution__name="Own Sol"))
    closed = ApplicationFactory(state=S.WITHDRAWN, solution__partner=mine.solution.partner)
    ApplicationFactory(state=S.SUBMITTED, solution__name="Foreign Sol")
    ApplicationFactory(state=S.WITHDRAWN, solution__name="Foreign Closed")
    client.force_login(actor("own_partner", mine))

    response = client.get(reverse("dashboard"))

    cards = find_all(response, "div", **{"class": "card mb-3"})
    assert [attr(node, "data-testid") for node in cards] == [f"request-{mine.pk}"]
    assert [row[:2] for row in _rows(response)] == [
        [f"{closed.solution.name} {closed.version.number}", "Withdrawn"]
    ]
    assert "Foreign" not in response.content.decode()


def test_queue_is_forbidden_to_partners(client, outsider):
    response = client.get(reverse("queue"))

    assert response.status_code == 403


def test_dashboard_of_a_partner_with_nothing_lists_nothing(client, theirs, outsider):
    response = client.get(reverse("dashboard"))

    assert find_all(response, "div", **{"class": "card mb-3"}) == []
    assert texts(response, "div", **{"class": "alert alert-info"}) == [
        "You have no open certification request. Register your first solution."
    ]


def test_version_of_another_solution_cannot_be_requested(client):
    mine = SolutionFactory()
    VersionFactory(solution=mine, number="1.0.0")
    foreign_version = VersionFactory(number="6.6.6")
    client.force_login(actor("own_partner", mine))

    response = client.post(
        reverse("application_create", args=[mine.slug]),
        {"version": foreign_version.pk, "motivation": "Sneaky."},
    )

    assert response.context["form"].errors == {
        "version": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Application.objects.count() == 0
