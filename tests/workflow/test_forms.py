"""Bad input comes back with the reason and with everything the user typed."""

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from catalogue.enums import Marketplace
from catalogue.models import Solution, SolutionVersion
from workflow.enums import ApplicationState, Priority, ReadinessCriterion
from workflow.models import Application, ApprovalFacts, ReadinessScore, SetupMeeting

from ..factories.workflow import (
    ApplicationFactory,
    SolutionFactory,
    VersionFactory,
    actor,
    with_state_records,
)
from .markup import errors, field_value, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."


def request_in(state, **kwargs):
    return with_state_records(ApplicationFactory(state=state, **kwargs))


@pytest.fixture
def partner(client):
    solution = SolutionFactory(name="Existing Sol", slug="existing-sol")
    user = actor("own_partner", solution)
    client.force_login(user)
    return user


# --- Solutions and versions --------------------------------------------------------------


def test_solution_create_missing_fields_are_named_and_the_rest_kept(client, partner):
    response = client.post(
        reverse("solution_create"),
        {
            "name": "",
            "slug": "",
            "marketplace": Marketplace.TERRASOFT,
            "category": "",
            "description": "Typed description.",
        },
    )

    assert response.context["form"].errors == {
        "name": [REQUIRED],
        "slug": [REQUIRED],
        "category": [REQUIRED],
    }
    assert errors(response) == [REQUIRED, REQUIRED, REQUIRED]
    assert field_value(response, "description") == "Typed description."
    assert field_value(response, "marketplace") == [Marketplace.TERRASOFT]
    assert Solution.objects.count() == 1


def test_solution_create_published_without_url_asks_for_it(client, partner):
    response = client.post(
        reverse("solution_create"),
        {
            "name": "Fresh Sol",
            "slug": "fresh-sol",
            "marketplace": Marketplace.CREATIO,
            "category": "Telephony",
            "is_published": "on",
            "marketplace_url": "",
        },
    )

    assert errors(response) == ["Give the Marketplace page of a published solution."]
    assert (field_value(response, "name"), field_value(response, "is_published")) == (
        "Fresh Sol",
        True,
    )
    assert Solution.objects.filter(slug="fresh-sol").exists() is False


def test_solution_create_duplicate_slug_is_refused(client, partner):
    response = client.post(
        reverse("solution_create"),
        {
            "name": "Another Name",
            "slug": "existing-sol",
            "marketplace": Marketplace.CREATIO,
            "category": "Geo",
        },
    )

    assert errors(response) == ["Solution with this Slug already exists."]
    assert (field_value(response, "name"), field_value(response, "category")) == (
        "Another Name",
        "Geo",
    )
    assert Solution.objects.count() == 1


def test_solution_create_duplicate_name_of_the_same_partner_is_refused(client, partner):
    response = client.post(
        reverse("solution_create"),
        {
            "name": "Existing Sol",
            "slug": "existing-sol-2",
            "marketplace": Marketplace.CREATIO,
            "category": "Geo",
        },
    )

    assert errors(response) == ["Solution with this Partner and Name already exists."]
    assert field_value(response, "slug") == "existing-sol-2"
    assert Solution.objects.count() == 1


def test_solution_create_valid_registers_it_for_the_partner(client, partner):
    response = client.post(
        reverse("solution_create"),
        {
            "name": "Fresh Sol",
            "slug": "fresh-sol",
            "marketplace": Marketplace.CREATIO,
            "category": "Telephony",
            "is_published": "on",
            "marketplace_url": "https://marketplace.example/fresh",
        },
    )

    solution = Solution.objects.get(slug="fresh-sol")
    assert response.url == reverse("version_create", args=["fresh-sol"])
    assert (solution.partner, solution.is_published) == (partner.partner, True)


def test_solution_edit_published_without_url_keeps_the_edit(client, partner):
    solution = Solution.objects.get(slug="existing-sol")

    response = client.post(
        reverse("solution_edit", args=[solution.slug]),
        {
            "name": "Renamed Sol",
            "slug": solution.slug,
            "marketplace": Marketplace.CREATIO,
            "category": "Telephony",
            "is_published": "on",
            "marketplace_url": "",
        },
    )

    assert errors(response) == ["Give the Marketplace page of a published solution."]
    assert field_value(response, "name") == "Renamed Sol"
    assert texts(response, "h1") == ["Edit Existing Sol"]
    assert Solution.objects.get(pk=solution.pk).name == "Existing Sol"


def test_version_create_duplicate_number_is_refused(client, partner):
    solution = Solution.objects.get(slug="existing-sol")
    VersionFactory(solution=solution, number="1.0.0")

    response = client.post(
        reverse("version_create", args=[solution.slug]),
        {"number": " 1.0.0 ", "notes": "Typed notes."},
    )

    assert errors(response) == ["This solution already has version 1.0.0."]
    assert field_value(response, "notes") == "Typed notes."
    assert SolutionVersion.objects.filter(solution=solution).count() == 1


def test_version_create_same_number_on_another_solution_is_fine(client, partner):
    solution = Solution.objects.get(slug="existing-sol")
    VersionFactory(number="1.0.0")

    response = client.post(reverse("version_create", args=[solution.slug]), {"number": "1.0.0"})

    assert response.url == solution.get_absolute_url()
    assert list(solution.versions.values_list("number", flat=True)) == ["1.0.0"]


# --- Requests ---------------------------------------------------------------------------


def test_request_create_for_a_version_with_an_open_request_is_refused(client, partner):
    solution = Solution.objects.get(slug="existing-sol")
    version = VersionFactory(solution=solution, number="2.0.0")
    ApplicationFactory(solution=solution, version=version, state=S.SUBMITTED)

    response = client.post(
        reverse("application_create", args=[solution.slug]),
        {"version": version.pk, "motivation": "Typed motivation."},
    )

    assert errors(response) == ["Version 2.0.0 already has an open certification request."]
    assert field_value(response, "motivation") == "Typed motivation."
    assert field_value(response, "version") == [str(version.pk)]
    assert Application.objects.count() == 1


def test_request_create_after_the_old_request_closed_is_allowed(client, partner):
    solution = Solution.objects.get(slug="existing-sol")
    version = VersionFactory(solution=solution, number="2.0.0")
    ApplicationFactory(solution=solution, version=version, state=S.WITHDRAWN)

    response = client.post(
        reverse("application_create", args=[solution.slug]),
        {"version": version.pk, "motivation": "Second try."},
    )

    created = Application.objects.get(state=S.DRAFT)
    assert response.url == created.get_absolute_url()
    assert (created.version, created.motivation, created.created_by) == (
        version,
        "Second try.",
        partner,
    )


def test_request_create_without_motivation_is_refused(client, partner):
    solution = Solution.objects.get(slug="existing-sol")
    version = VersionFactory(solution=solution)

    response = client.post(
        reverse("application_create", args=[solution.slug]),
        {"version": version.pk, "motivation": ""},
    )

    assert errors(response) == [REQUIRED]
    assert Application.objects.count() == 0


# --- Stage-1 pages ----------------------------------------------------------------------


@pytest.fixture
def analyst(client):
    user = actor("analyst")
    client.force_login(user)
    return user


@pytest.mark.parametrize("when", ["next tuesday", "2030-13-01T10:00", "31/02/2030 10:00"])
def test_meeting_schedule_bad_datetime_is_refused(client, analyst, when):
    application = request_in(S.SUBMITTED)

    response = client.post(
        reverse("meeting_schedule", args=[application.pk]),
        {
            "scheduled_for": when,
            "location": "Room 5",
            "agenda": "Typed agenda.",
            "seen_state": S.SUBMITTED,
        },
    )

    assert errors(response) == ["Enter a valid date/time."]
    assert [field_value(response, name) for name in ("scheduled_for", "location", "agenda")] == [
        when,
        "Room 5",
        "Typed agenda.",
    ]
    assert SetupMeeting.objects.count() == 0
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED


def test_meeting_schedule_without_a_place_is_refused(client, analyst):
    application = request_in(S.SUBMITTED)

    response = client.post(
        reverse("meeting_schedule", args=[application.pk]),
        {"scheduled_for": "2030-05-06T09:00", "location": "", "seen_state": S.SUBMITTED},
    )

    assert errors(response) == [REQUIRED]
    assert field_value(response, "scheduled_for") == "2030-05-06T09:00"
    assert SetupMeeting.objects.count() == 0


def test_meeting_record_without_notes_is_refused(client, analyst):
    application = request_in(S.MEETING_SCHEDULED)

    response = client.post(
        reverse("meeting_record", args=[application.pk]),
        {"held_at": "2026-11-17T09:00", "notes": "", "seen_state": S.MEETING_SCHEDULED},
    )

    assert errors(response) == [REQUIRED]
    assert field_value(response, "held_at") == "2026-11-17T09:00"
    assert SetupMeeting.objects.get(application=application).held_at is None


def test_meeting_record_before_any_meeting_is_refused_with_the_reason(client, analyst):
    application = request_in(S.SUBMITTED)

    response = client.post(
        reverse("meeting_record", args=[application.pk]),
        {"held_at": "2026-11-17T09:00", "notes": "Typed notes.", "seen_state": S.SUBMITTED},
    )

    assert errors(response) == ["This request is “Submitted”: that action is not possible now."]
    assert field_value(response, "notes") == "Typed notes."
    assert SetupMeeting.objects.count() == 0


def _readiness_data(**overrides):
    data = {"seen_state": S.READINESS_REVIEW}
    for n, criterion in enumerate(ReadinessCriterion, start=2):
        data[f"{criterion.value}_score"] = str(n)
        data[f"{criterion.value}_comment"] = f"Typed {n}."
    data.update(overrides)
    return data


def test_readiness_form_missing_comment_is_refused_and_the_scores_kept(client, analyst):
    application = ApplicationFactory(state=S.READINESS_REVIEW)

    response = client.post(
        reverse("readiness", args=[application.pk]),
        _readiness_data(quality_investment_comment=""),
    )

    assert response.context["form"].errors == {"quality_investment_comment": [REQUIRED]}
    assert errors(response) == [REQUIRED]
    assert [field_value(response, f"{c.value}_score") for c in ReadinessCriterion] == [
        ["2"],
        ["3"],
        ["4"],
        ["5"],
    ]
    assert field_value(response, "support_resources_comment") == "Typed 2."
    assert ReadinessScore.objects.count() == 0


def test_readiness_form_valid_saves_the_four_scores(client, analyst):
    application = ApplicationFactory(state=S.READINESS_REVIEW)

    response = client.post(reverse("readiness", args=[application.pk]), _readiness_data())

    assert response.url == application.get_absolute_url()
    assert sorted(application.readiness_scores.values_list("criterion", "score")) == sorted(
        (c.value, n) for n, c in enumerate(ReadinessCriterion, start=2)
    )


def test_readiness_form_shows_the_saved_scores(client, analyst):
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    client.post(reverse("readiness", args=[application.pk]), _readiness_data())

    response = client.get(reverse("readiness", args=[application.pk]))

    assert field_value(response, "process_maturity_score") == ["5"]
    assert field_value(response, "process_maturity_comment") == "Typed 5."


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_readiness_decision_without_comment_is_refused(client, analyst, decision):
    application = request_in(S.READINESS_REVIEW)

    response = client.post(
        reverse("readiness_decide", args=[application.pk]),
        {"decision": decision, "comment": "", "seen_state": S.READINESS_REVIEW},
    )

    assert errors(response) == [REQUIRED]
    assert field_value(response, "decision") == [decision]
    assert StateLog.objects.count() == 0


def test_readiness_decision_without_choice_is_refused(client, analyst):
    application = request_in(S.READINESS_REVIEW)

    response = client.post(
        reverse("readiness_decide", args=[application.pk]),
        {"comment": "Typed reason.", "seen_state": S.READINESS_REVIEW},
    )

    assert errors(response) == [REQUIRED]
    assert field_value(response, "comment") == "Typed reason."
    assert StateLog.objects.count() == 0


def test_readiness_decision_before_the_meeting_shows_the_reason(client, analyst):
    application = ApplicationFactory(state=S.READINESS_REVIEW)

    response = client.post(
        reverse("readiness_decide", args=[application.pk]),
        {"decision": "accept", "comment": "Typed reason.", "seen_state": S.READINESS_REVIEW},
    )

    assert errors(response) == [
        "The set-up meeting must be held first (R1.2).",
        "All four readiness criteria must be scored first (R1.3).",
    ]
    assert field_value(response, "comment") == "Typed reason."


def test_withdraw_without_reason_is_refused(client):
    application = request_in(S.SUBMITTED)
    client.force_login(actor("own_partner", application))

    response = client.post(
        reverse("application_withdraw", args=[application.pk]),
        {"comment": "  ", "seen_state": S.SUBMITTED},
    )

    assert errors(response) == [REQUIRED]
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED


def test_withdraw_with_reason_records_it(client):
    application = request_in(S.SUBMITTED)
    partner = actor("own_partner", application)
    client.force_login(partner)

    response = client.post(
        reverse("application_withdraw", args=[application.pk]),
        {"comment": "Product retired.", "seen_state": S.SUBMITTED},
        follow=True,
    )

    entry = StateLog.objects.for_(application).get()
    assert (entry.by, entry.state, entry.description) == (partner, S.WITHDRAWN, "Product retired.")
    assert response.redirect_chain == [(application.get_absolute_url(), 302)]


def test_approval_facts_conflict_without_note_is_refused(client, analyst):
    application = request_in(S.READINESS_REVIEW)

    response = client.post(
        reverse("approval_facts", args=[application.pk]),
        {
            "overlap_note": "Typed overlap.",
            "roadmap_conflict": "on",
            "roadmap_note": "",
            "customer_requests": "4",
            "seen_state": S.READINESS_REVIEW,
        },
    )

    assert errors(response) == ["Say what R&D plans and when."]
    assert (
        field_value(response, "overlap_note"),
        field_value(response, "roadmap_conflict"),
        field_value(response, "customer_requests"),
    ) == ("Typed overlap.", True, "4")
    assert ApprovalFacts.objects.count() == 0


# --- The leaders' decide view -----------------------------------------------------------


def test_decide_approve_without_priority_is_refused(client):
    application = request_in(S.AWAITING_APPROVAL)
    Application.objects.filter(pk=application.pk).update(priority=None)
    client.force_login(actor("leader"))

    response = client.post(
        reverse("admin:workflow_application_decide", args=[application.pk, "approve"]),
        {"priority": "", "comment": "Typed reason.", "seen_state": S.AWAITING_APPROVAL},
    )

    assert response.context["form"].errors == {"priority": [REQUIRED]}
    assert errors(response) == [REQUIRED]
    assert field_value(response, "comment") == "Typed reason."
    assert Application.objects.get(pk=application.pk).state == S.AWAITING_APPROVAL


def test_decide_decline_without_comment_is_refused(client):
    application = request_in(S.AWAITING_APPROVAL)
    client.force_login(actor("leader"))

    response = client.post(
        reverse("admin:workflow_application_decide", args=[application.pk, "decline_approval"]),
        {"comment": "", "seen_state": S.AWAITING_APPROVAL},
    )

    assert errors(response) == [REQUIRED]
    assert "priority" not in response.context["form"].fields
    assert Application.objects.get(pk=application.pk).state == S.AWAITING_APPROVAL


def test_decide_approve_form_offers_the_current_priority(client):
    application = request_in(S.AWAITING_APPROVAL)
    Application.objects.filter(pk=application.pk).update(priority=Priority.MEDIUM)
    client.force_login(actor("leader"))

    response = client.get(
        reverse("admin:workflow_application_decide", args=[application.pk, "approve"])
    )

    assert field_value(response, "priority") == [str(Priority.MEDIUM.value)]
