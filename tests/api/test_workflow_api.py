"""The workflow's API: solutions, versions and requests read and written, and a request's
transitions listed and fired through the same services, permissions and conditions as the
pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalogue.enums import Marketplace
from catalogue.models import Solution
from workflow.api import STEPS
from workflow.enums import ApplicationKind, ApplicationState, Priority
from workflow.models import Application

from ..factories.accounts import ApiTokenFactory, UserFactory
from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    PartnerFactory,
    SolutionFactory,
    VersionFactory,
    ready_for_approval,
    ready_for_decision,
    score_all_criteria,
    with_state_records,
)

S = ApplicationState
pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=user).secret}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def partner():
    return PartnerFactory(name="Northwind")


@pytest.fixture
def member(partner):
    return UserFactory(role="Partner", partner=partner, first_name="Pat", last_name="Lee")


@pytest.fixture
def api(member):
    return token_client(member)


@pytest.fixture
def solution(partner):
    return SolutionFactory(partner=partner, slug="nw-calendar", name="NW Calendar")


def test_a_solution_is_read_by_its_slug(api, solution):
    response = api.get("/api/v1/solutions/nw-calendar/")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "nw-calendar",
        "name": "NW Calendar",
        "partner": "Northwind",
        "marketplace": "creatio",
        "category": "Telephony",
        "description": "",
        "is_published": True,
        "marketplace_url": "https://marketplace.example/nw-calendar",
        "uses_external_services": False,
        "certified": False,
        "created_at": response.json()["created_at"],
    }


def test_another_partners_solution_reads_as_missing(api):
    SolutionFactory(slug="theirs")

    assert api.get("/api/v1/solutions/theirs/").status_code == 404
    assert api.get("/api/v1/solutions/theirs/versions/").status_code == 404
    assert api.post("/api/v1/solutions/theirs/versions/", {"number": "1.0"}).status_code == 404


def test_a_solution_is_registered_for_the_callers_organisation(api, partner):
    response = api.post(
        "/api/v1/solution-registrations/",
        {"name": "NW Mail", "slug": "nw-mail", "category": "Mail", "marketplace": "terrasoft"},
        format="json",
    )

    assert response.status_code == 201
    assert response["Location"] == "/api/v1/solutions/nw-mail/"
    assert response.json()["partner"] == "Northwind"
    solution = Solution.objects.get(slug="nw-mail")
    assert (solution.partner, solution.marketplace, solution.is_published) == (
        partner,
        Marketplace.TERRASOFT,
        False,
    )


def test_a_bad_registration_names_each_field(api, solution):
    response = api.post(
        "/api/v1/solution-registrations/",
        {"name": "NW Calendar", "slug": "nw calendar", "is_published": True},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"slug", "category"}
    response = api.post(
        "/api/v1/solution-registrations/",
        {"name": "NW Calendar", "slug": "nw-cal-2", "category": "Mail", "is_published": True},
        format="json",
    )
    assert response.json() == {
        "marketplace_url": ["Give the Marketplace page of a published solution."]
    }
    response = api.post(
        "/api/v1/solution-registrations/",
        {"name": "NW Calendar", "slug": "nw-cal-2", "category": "Mail"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert Solution.objects.filter(slug="nw-cal-2").exists() is False


def test_only_a_partner_registers_a_solution():
    analyst = token_client(UserFactory(analyst=True))

    response = analyst.post(
        "/api/v1/solution-registrations/",
        {"name": "X", "slug": "x", "category": "Mail"},
        format="json",
    )

    assert response.status_code == 403
    assert "detail" in response.json()


def test_versions_are_registered_and_listed_newest_first(api, solution):
    created = api.post(
        "/api/v1/solutions/nw-calendar/versions/",
        {"number": "1.4.0", "released_on": "2026-11-01"},
        format="json",
    )
    api.post("/api/v1/solutions/nw-calendar/versions/", {"number": "1.5.0"}, format="json")

    listed = api.get("/api/v1/solutions/nw-calendar/versions/")

    assert created.status_code == 201
    assert created.json()["solution"] == "nw-calendar"
    assert [v["number"] for v in listed.json()["results"]] == ["1.5.0", "1.4.0"]
    only_dated = api.get("/api/v1/solutions/nw-calendar/versions/?released_after=2026-10-01")
    assert [v["number"] for v in only_dated.json()["results"]] == ["1.4.0"]


def test_a_bad_version_is_refused_field_by_field(api, solution):
    VersionFactory(solution=solution, number="1.4.0")

    taken = api.post("/api/v1/solutions/nw-calendar/versions/", {"number": "1.4.0"})
    odd = api.post("/api/v1/solutions/nw-calendar/versions/", {"number": "one"})
    bad_filter = api.get("/api/v1/solutions/nw-calendar/versions/?released_after=soon")

    assert taken.status_code == 400
    assert list(taken.json()) == ["non_field_errors"]
    assert odd.status_code == 400
    assert list(odd.json()) == ["number"]
    assert bad_filter.status_code == 400
    assert list(bad_filter.json()) == ["released_after"]


# --- Requests ---------------------------------------------------------------------------------


def test_a_request_is_filed_as_a_draft(api, solution, member):
    VersionFactory(solution=solution, number="1.4.0")

    response = api.post(
        "/api/v1/requests/",
        {"solution": "nw-calendar", "version": "1.4.0", "motivation": "Customers ask."},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    application = Application.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/requests/{application.pk}/"
    assert (application.state, application.created_by, application.version.number) == (
        S.DRAFT,
        member,
        "1.4.0",
    )
    assert body["state"] == "draft"
    assert body["stage"] == 1
    assert body["solution"] == "nw-calendar"
    assert body["version"] == "1.4.0"


def test_filing_is_refused_with_the_reason_of_the_page(api, solution):
    """R1.1: only a published solution's developer files a request."""
    unpublished = SolutionFactory(partner=solution.partner, slug="hidden", unpublished=True)
    VersionFactory(solution=unpublished, number="1.0")
    SolutionFactory(slug="theirs")

    not_published = api.post(
        "/api/v1/requests/", {"solution": "hidden", "version": "1.0", "motivation": "m"}
    )
    theirs = api.post(
        "/api/v1/requests/", {"solution": "theirs", "version": "1", "motivation": "m"}
    )
    no_version = api.post(
        "/api/v1/requests/", {"solution": "nw-calendar", "version": "9.9", "motivation": "m"}
    )

    assert not_published.status_code == 400
    assert not_published.json() == {
        "non_field_errors": [
            "Only a solution published on the Marketplace can be certified (R1.1)."
        ]
    }
    assert theirs.status_code == 400
    assert list(theirs.json()) == ["solution"]
    assert no_version.status_code == 400
    assert list(no_version.json()) == ["version"]
    assert Application.objects.count() == 0


def test_an_update_of_a_certified_solution_opens_straight_in_stage_three(api, solution):
    """R3.2: a certified solution's new version passes stage 3 again."""
    CertificationFactory(solution=solution)
    VersionFactory(solution=solution, number="2.0.0")

    response = api.post(
        "/api/v1/requests/",
        {"solution": "nw-calendar", "version": "2.0.0", "motivation": "New.", "kind": "update"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["state"] == "awaiting_materials"
    assert response.json()["kind"] == ApplicationKind.UPDATE


def test_requests_are_filtered_by_state_stage_solution_and_marketplace(api, solution, partner):
    draft = ApplicationFactory(solution=solution)
    in_review = ApplicationFactory(solution=solution, state=S.IN_REVIEW)
    other = SolutionFactory(partner=partner, slug="nw-ru", marketplace=Marketplace.TERRASOFT)
    approval = ApplicationFactory(solution=other, state=S.AWAITING_APPROVAL)
    ApplicationFactory(state=S.IN_REVIEW)  # another partner's

    def ids(query):
        response = api.get(f"/api/v1/requests/{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {draft.pk, in_review.pk, approval.pk}
    assert ids("?state=in_review") == {in_review.pk}
    assert ids("?stage=2") == {approval.pk}
    assert ids("?solution=nw-calendar") == {draft.pk, in_review.pk}
    assert ids("?marketplace=terrasoft") == {approval.pk}
    assert ids("?stage=3&solution=nw-calendar") == {in_review.pk}


def test_a_wrong_filter_is_named(api):
    response = api.get("/api/v1/requests/?state=nowhere&stage=9")

    assert response.status_code == 400
    assert set(response.json()) == {"state", "stage"}


def test_a_request_shows_its_state_stage_priority_solution_and_version(api, solution):
    application = ApplicationFactory(solution=solution, state=S.AWAITING_MATERIALS)
    Application.objects.filter(pk=application.pk).update(priority=Priority.MEDIUM)

    body = api.get(f"/api/v1/requests/{application.pk}/").json()

    assert {key: body[key] for key in ("state", "state_label", "stage", "priority")} == {
        "state": "awaiting_materials",
        "state_label": "Approved, awaiting materials",
        "stage": 3,
        "priority": 2,
    }
    assert (body["solution"], body["partner"], body["version"]) == (
        "nw-calendar",
        "Northwind",
        application.version.number,
    )


# --- Transitions -----------------------------------------------------------------------------


def test_every_transition_of_a_request_can_be_fired_but_the_opening_of_an_update():
    names = {t.name for t in Application._meta.get_field("state").get_all_transitions(Application)}

    assert set(STEPS) == names - {"open_update"}


def test_the_partner_is_offered_what_the_request_page_offers(api, solution):
    application = ApplicationFactory(solution=solution)

    body = api.get(f"/api/v1/requests/{application.pk}/transitions/").json()

    assert body["state"] == "draft"
    offered = {t["name"]: t for t in body["available"]}
    assert set(offered) == {"submit", "edit_draft", "withdraw"}
    submit = offered["submit"]
    assert (submit["label"], submit["target"], submit["reasons"]) == ("Submit", "submitted", [])
    assert submit["fields"] == [
        {
            "name": "comment",
            "type": "string",
            "required": False,
            "help_text": "For the timeline; the partner reads it.",
        }
    ]
    assert body["blocked"] == []


def test_a_blocked_transition_says_why(solution):
    """R1.3: the readiness decision waits for the four criteria."""
    application = ApplicationFactory(solution=solution, state=S.READINESS_REVIEW)
    analyst = token_client(UserFactory(analyst=True))

    body = analyst.get(f"/api/v1/requests/{application.pk}/transitions/").json()
    fired = analyst.post(
        f"/api/v1/requests/{application.pk}/transitions/accept/", {"comment": "Ready."}
    )

    blocked = {t["name"]: t["reasons"] for t in body["blocked"]}
    assert blocked["accept"] == [
        "The set-up meeting must be held first (R1.2).",
        "All four readiness criteria must be scored first (R1.3).",
    ]
    assert fired.status_code == 400
    assert fired.json() == {"non_field_errors": blocked["accept"]}
    application.refresh_from_db()
    assert application.state == S.READINESS_REVIEW


def test_submitting_moves_the_request_and_records_the_step(api, solution, member):
    application = ApplicationFactory(solution=solution)

    response = api.post(
        f"/api/v1/requests/{application.pk}/transitions/submit/",
        {"comment": "Please review.", "seen_state": "draft"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    timeline = api.get(f"/api/v1/requests/{application.pk}/timeline/").json()["results"]
    assert timeline == [
        {
            "timestamp": timeline[0]["timestamp"],
            "transition": "submit",
            "source_state": "draft",
            "state": "submitted",
            "by": "Pat Lee",
            "comment": "Please review.",
        }
    ]


def test_firing_a_transition_the_request_already_left_answers_409(api, solution):
    application = ApplicationFactory(solution=solution)
    api.post(f"/api/v1/requests/{application.pk}/transitions/submit/")

    again = api.post(f"/api/v1/requests/{application.pk}/transitions/submit/")

    assert again.status_code == 409
    assert again.json() == {
        "detail": "This request is “Submitted”: that action is not possible now.",
        "state": "submitted",
    }
    assert api.get(f"/api/v1/requests/{application.pk}/timeline/").json()["count"] == 1


def test_a_step_on_a_stale_copy_answers_409_and_writes_nothing(api, solution, member):
    """Two people at once: the second one read the request before the first one moved it."""
    application = ApplicationFactory(solution=solution)
    api.post(f"/api/v1/requests/{application.pk}/transitions/submit/")

    stale = api.post(
        f"/api/v1/requests/{application.pk}/transitions/withdraw/",
        {"comment": "Not now.", "seen_state": "draft"},
        format="json",
    )

    assert stale.status_code == 409
    assert stale.json()["state"] == "submitted"
    assert "Someone else changed this request meanwhile" in stale.json()["detail"]
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_the_analyst_schedules_and_records_the_meeting_with_its_data(solution):
    """R1.2: the set-up meeting is scheduled, then recorded, before readiness is judged."""
    application = ApplicationFactory(solution=solution, state=S.SUBMITTED)
    analyst = token_client(UserFactory(analyst=True))
    url = f"/api/v1/requests/{application.pk}/transitions/"
    when = timezone.now() + timedelta(days=2)

    missing = analyst.post(url + "schedule_meeting/", {"scheduled_for": "yesterday"})
    past = analyst.post(
        url + "schedule_meeting/",
        {"scheduled_for": (timezone.now() - timedelta(days=1)).isoformat(), "location": "Room"},
    )
    scheduled = analyst.post(
        url + "schedule_meeting/",
        {"scheduled_for": when.isoformat(), "location": "https://meet.example/a"},
        format="json",
    )
    offered = analyst.get(url).json()["available"]
    held = analyst.post(
        url + "hold_meeting/",
        {"held_at": timezone.now().isoformat(), "notes": "Went well."},
        format="json",
    )

    assert missing.status_code == 400
    assert set(missing.json()) == {"scheduled_for", "location"}
    assert past.json() == {
        "scheduled_for": ["A meeting can only be scheduled for a time still to come."]
    }
    assert scheduled.status_code == 200
    assert scheduled.json()["state"] == "meeting_scheduled"
    assert [t["name"] for t in offered] == ["reschedule_meeting", "hold_meeting"]
    assert {f["name"]: f["required"] for f in offered[0]["fields"]} == {
        "scheduled_for": True,
        "location": True,
        "agenda": False,
    }
    assert held.status_code == 200
    assert held.json()["state"] == "readiness_review"


def test_the_timeline_speaks_the_readers_language(solution):
    application = ApplicationFactory(solution=solution, state=S.MEETING_SCHEDULED)
    with_state_records(application)
    analyst = token_client(UserFactory(analyst=True))
    analyst.post(
        f"/api/v1/requests/{application.pk}/transitions/hold_meeting/",
        {"held_at": "2026-11-18T09:00:00Z", "notes": "Fine."},
        format="json",
    )

    english = analyst.get(f"/api/v1/requests/{application.pk}/timeline/").json()
    russian = analyst.get(
        f"/api/v1/requests/{application.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="ru"
    ).json()

    assert english["results"][-1]["comment"].startswith("Set-up meeting held on ")
    assert russian["results"][-1]["comment"] != english["results"][-1]["comment"]
    assert "Fine." not in english["results"][-1]["comment"]  # the notes are the team's


def test_the_leaders_approve_with_a_priority(solution):
    """R2.1, R2.5: a leader approves and sets the priority."""
    application = ApplicationFactory(solution=solution, state=S.AWAITING_APPROVAL)
    ready_for_approval(application, priority=None)
    leader = token_client(UserFactory(leader=True))
    url = f"/api/v1/requests/{application.pk}/transitions/approve/"

    offered = leader.get(f"/api/v1/requests/{application.pk}/transitions/").json()
    without = leader.post(url, {"comment": "Broad need."})
    approved = leader.post(url, {"comment": "Broad need.", "priority": 1}, format="json")

    assert "approve" in [t["name"] for t in offered["available"]]
    assert without.status_code == 400
    assert list(without.json()) == ["priority"]
    assert approved.status_code == 200
    assert (approved.json()["state"], approved.json()["priority"]) == ("awaiting_materials", 1)


def test_a_role_fires_only_its_own_transitions(solution):
    """R2.1: only leaders decide; an analyst or the partner is refused with 403."""
    application = ApplicationFactory(solution=solution, state=S.AWAITING_APPROVAL)
    ready_for_approval(application)
    url = f"/api/v1/requests/{application.pk}/transitions/approve/"
    body = {"comment": "Yes.", "priority": 1}

    for user in (
        UserFactory(analyst=True),
        UserFactory(rnd_expert=True),
        UserFactory(role="Partner", partner=solution.partner),
    ):
        response = token_client(user).post(url, body, format="json")
        assert response.status_code == 403, user.role
        assert response.json() == {"detail": "Your role may not take this step."}
    application.refresh_from_db()
    assert application.state == S.AWAITING_APPROVAL


def test_an_unknown_transition_reads_as_missing(api, solution):
    application = ApplicationFactory(solution=solution)

    response = api.post(f"/api/v1/requests/{application.pk}/transitions/teleport/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No transition “teleport”."}


def test_the_stage_one_decision_goes_through_the_service(solution):
    application = ApplicationFactory(solution=solution, state=S.READINESS_REVIEW)
    ready_for_decision(application)
    analyst = token_client(UserFactory(analyst=True))
    url = f"/api/v1/requests/{application.pk}/transitions/"

    no_reason = analyst.post(url + "decline_readiness/", {})
    declined = analyst.post(url + "decline_readiness/", {"comment": "Not ready."})

    assert no_reason.status_code == 400
    assert list(no_reason.json()) == ["comment"]
    assert declined.status_code == 200
    assert declined.json()["state"] == "declined"
    assert declined.json()["stage_reached"] == 1


def test_the_session_of_the_portal_works_as_a_token_does(solution):
    application = ApplicationFactory(solution=solution, state=S.SUBMITTED)
    analyst = session_client(UserFactory(analyst=True))

    response = analyst.get(f"/api/v1/requests/{application.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == application.pk


def test_stages_one_and_two_can_be_driven_through_the_api(api, solution):
    """R1.2, R1.3, R2.1: filed, submitted, met, scored, accepted and approved by API calls."""
    VersionFactory(solution=solution, number="1.4.0")
    analyst_user = UserFactory(analyst=True)
    analyst, leader = token_client(analyst_user), token_client(UserFactory(leader=True))
    pk = api.post(
        "/api/v1/requests/",
        {"solution": "nw-calendar", "version": "1.4.0", "motivation": "Asked for."},
        format="json",
    ).json()["id"]
    url = f"/api/v1/requests/{pk}/transitions/"

    api.post(url + "submit/")
    analyst.post(
        url + "schedule_meeting/",
        {"scheduled_for": (timezone.now() + timedelta(hours=2)).isoformat(), "location": "Room"},
        format="json",
    )
    analyst.post(
        url + "hold_meeting/",
        {"held_at": timezone.now().isoformat(), "notes": "Fine."},
        format="json",
    )
    application = Application.objects.get(pk=pk)
    score_all_criteria(application, by=analyst_user)  # scored on the readiness page
    accepted = analyst.post(url + "accept/", {"comment": "Ready."}, format="json")
    ready_for_approval(application, priority=None)  # the stage-2 facts, from their page
    approved = leader.post(url + "approve/", {"comment": "Broad.", "priority": 1}, format="json")

    assert accepted.json()["state"] == "awaiting_approval"
    assert approved.json()["state"] == "awaiting_materials"
    timeline = api.get(f"/api/v1/requests/{pk}/timeline/").json()["results"]
    assert [entry["transition"] for entry in timeline] == [
        "submit",
        "schedule_meeting",
        "hold_meeting",
        "accept",
        "approve",
    ]
    assert (
        timeline[-1]["comment"]
        == "Priority: High — broad need not covered by the base products. Broad."
    )


def test_starting_the_review_opens_its_round_as_the_page_does(solution):
    """R3.6: the review is checked against the DoD edition pinned when it starts."""
    application = ApplicationFactory(solution=solution, state=S.SUBMITTED_FOR_REVIEW)
    analyst = token_client(UserFactory(analyst=True))

    response = analyst.post(f"/api/v1/requests/{application.pk}/transitions/start_review/")

    assert response.status_code == 200
    assert response.json()["state"] == "in_review"
    application.refresh_from_db()
    assert application.criteria_version is not None
    assert application.review_rounds.filter(closed_at__isnull=True).count() == 1


def test_certifying_puts_the_badge_on(solution):
    """R7.1: a request certified through the API turns its solution's badge on."""
    application = ApplicationFactory(solution=solution, state=S.SUPPORT_PASSED)
    analyst = token_client(UserFactory(analyst=True))

    response = analyst.post(
        f"/api/v1/requests/{application.pk}/transitions/certify/", {"comment": "Well done."}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "certified"
    assert response.json()["stage_reached"] == 5
    detail = analyst.get("/api/v1/solutions/nw-calendar/").json()
    assert detail["certified"] is True
