"""The regulation's rules for stages 1 and 2, each proved by name (see RULES.md)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from workflow import selectors, services
from workflow.enums import ApplicationState, Priority, ReadinessCriterion
from workflow.forms import ReadinessForm
from workflow.models import Application, ApprovalFacts, ReadinessScore, TimelineEntry

from ..factories.workflow import (
    ApplicationFactory,
    ApprovalFactsFactory,
    MaterialFactory,
    ReadinessScoreFactory,
    SetupMeetingFactory,
    SolutionFactory,
    VersionFactory,
    actor,
    score_all_criteria,
    with_state_records,
)
from ..rules_matrix import holds, matrix
from .markup import alerts, by_testid, confirming, errors, field_value, find_all, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

R11 = "The solution must be published on the Marketplace (R1.1)."
R12 = "The set-up meeting must be held first (R1.2)."
R13 = "All four readiness criteria must be scored first (R1.3)."
R22 = (
    "The stage-2 facts (portfolio overlap, roadmap, customer requests) must be recorded "
    "first (R2.2, R2.4)."
)
R23 = "R&D plans similar functionality within a year: the request can only be declined (R2.3)."
R25 = "A priority must be set first (R2.5)."


def request_in(state, **kwargs):
    return with_state_records(ApplicationFactory(state=state, **kwargs))


def states_and_logs(application):
    stored = Application.objects.get(pk=application.pk)
    return stored.state, StateLog.objects.for_(stored).count()


def decide_url(application, decision):
    return reverse("admin:workflow_application_decide", args=[application.pk, decision])


def change_url(application):
    return reverse("admin:workflow_application_change", args=[application.pk])


# --- R1.1 -----------------------------------------------------------------------------


def test_r11_unpublished_solution_cannot_get_a_request_created():
    """R1.1: a request cannot be created for a solution not published on the Marketplace."""
    solution = SolutionFactory(unpublished=True)
    version = VersionFactory(solution=solution)
    partner = actor("own_partner", solution)

    with pytest.raises(ValidationError) as refused:
        services.application_create(
            by=partner, solution=solution, version=version, motivation="Demand."
        )

    assert refused.value.messages == [
        "Only a solution published on the Marketplace can be certified (R1.1)."
    ]
    assert Application.objects.count() == 0


def test_r11_request_page_of_unpublished_solution_explains_and_creates_nothing(client):
    """R1.1: the request page of an unpublished solution says why and creates nothing."""
    solution = SolutionFactory(unpublished=True)
    version = VersionFactory(solution=solution, number="2.0.0")
    partner = actor("own_partner", solution)
    client.force_login(partner)
    url = reverse("application_create", args=[solution.slug])

    response = client.post(url, {"version": version.pk, "motivation": "Customers ask."})

    assert errors(response) == [
        "Only a solution published on the Marketplace can be certified (R1.1)."
    ]
    assert texts(response, "div", **{"class": "alert alert-warning"}) == [
        "Only a solution published on the Marketplace can be certified (R1.1). "
        "Publish it first and tick “published” on the solution."
    ]
    assert field_value(response, "motivation") == "Customers ask."
    assert Application.objects.count() == 0


def test_r11_draft_of_a_since_unpublished_solution_cannot_be_submitted():
    """R1.1: a draft whose solution is no longer published cannot be submitted."""
    application = ApplicationFactory(solution__is_published=False)
    partner = actor("own_partner", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.application_submit(application=application, by=partner)

    assert refused.value.reasons == [R11]
    assert states_and_logs(application) == (S.DRAFT, 0)


def test_r11_request_page_of_a_since_unpublished_solution_offers_no_submit(client):
    """R1.1: the request page shows no "Submit" for an unpublished solution and says why."""
    application = ApplicationFactory(solution__is_published=False)
    client.force_login(actor("own_partner", application))

    page = client.get(reverse("application_detail", args=[application.pk]))

    assert by_testid(page, "actions") == "Edit the request Withdraw"
    assert texts(page, data_testid="blocked") == [R11]


def test_r11_submit_button_of_a_since_unpublished_solution_is_refused(client):
    """R1.1: submitting anyway is refused with the reason and nothing is recorded."""
    application = ApplicationFactory(solution__is_published=False)
    client.force_login(actor("own_partner", application))

    submitted = client.post(
        reverse("application_submit", args=[application.pk]),
        confirming({"seen_state": S.DRAFT}),
        follow=True,
    )

    assert alerts(submitted) == [R11]
    assert states_and_logs(application) == (S.DRAFT, 0)


def test_r11_published_solution_gets_its_request():
    """R1.1: the developer of a published solution files a draft request."""
    solution = SolutionFactory()
    version = VersionFactory(solution=solution)
    partner = actor("own_partner", solution)

    application = services.application_create(
        by=partner, solution=solution, version=version, motivation="Demand."
    )

    assert (application.state, application.solution, application.created_by) == (
        S.DRAFT,
        solution,
        partner,
    )


@pytest.mark.parametrize("role", ["other_partner", "analyst", "leader", "rnd_expert", "auditor"])
def test_r11_only_the_solutions_developer_files_a_request(role):
    """R1.1: only a developer of the solution (a member of its partner) files a request."""
    solution = SolutionFactory()
    version = VersionFactory(solution=solution)
    user = actor(role, solution)

    with pytest.raises(PermissionDenied):
        services.application_create(by=user, solution=solution, version=version, motivation="x")

    assert Application.objects.count() == 0


# --- R1.2 -----------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [True, False])
def test_r12_readiness_decision_refused_until_the_meeting_is_held(accept):
    """R1.2: the readiness decision is refused until the set-up meeting is held."""
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    SetupMeetingFactory(application=application)
    score_all_criteria(application)
    analyst = actor("analyst", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.readiness_decide(
            application=application, by=analyst, accept=accept, comment="Too soon."
        )

    assert refused.value.reasons == [R12]
    assert states_and_logs(application) == (S.READINESS_REVIEW, 0)


def test_r12_readiness_is_not_scored_before_the_meeting():
    """R1.2: readiness cannot be scored while the set-up meeting is only scheduled."""
    application = request_in(S.MEETING_SCHEDULED)
    analyst = actor("analyst", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.readiness_scores_save(
            application=application,
            by=analyst,
            scores={c.value: (3, "Early.") for c in ReadinessCriterion},
        )

    assert refused.value.reasons == ["Readiness is scored after the set-up meeting (R1.2)."]
    assert ReadinessScore.objects.count() == 0


def test_r12_recording_the_meeting_opens_the_readiness_decision():
    """R1.2: once the meeting is recorded, the analyst can score and decide."""
    application = request_in(S.MEETING_SCHEDULED)
    analyst = actor("analyst", application)
    actions_before, _blocked = services.actions_for(application, analyst)

    services.meeting_record(
        application=application, by=analyst, held_at=timezone.now(), notes="Held."
    )
    services.readiness_scores_save(
        application=application,
        by=analyst,
        scores={c.value: (4, "Fine.") for c in ReadinessCriterion},
    )

    application = Application.objects.get(pk=application.pk)
    actions_after, _blocked = services.actions_for(application, analyst)
    assert actions_before == ["hold_meeting"]
    assert sorted(actions_after) == ["accept", "decline_readiness"]


# --- R1.3 -----------------------------------------------------------------------------


@pytest.mark.parametrize("missing", list(ReadinessCriterion))
def test_r13_readiness_decision_refused_until_all_four_criteria_are_scored(missing):
    """R1.3: the decision is refused while any of the four criteria is unscored."""
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    SetupMeetingFactory(application=application, held=True)
    for criterion in ReadinessCriterion:
        if criterion != missing:
            ReadinessScoreFactory(application=application, criterion=criterion)
    analyst = actor("analyst", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.readiness_decide(application=application, by=analyst, accept=True, comment="")

    assert refused.value.reasons == [R13]
    assert states_and_logs(application) == (S.READINESS_REVIEW, 0)


def test_r13_all_four_criteria_scored_allows_the_decision():
    """R1.3: with the four criteria scored the analyst accepts the request."""
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    SetupMeetingFactory(application=application, held=True)
    analyst = actor("analyst", application)
    services.readiness_scores_save(
        application=application,
        by=analyst,
        scores={c.value: (5, "Convincing.") for c in ReadinessCriterion},
    )

    services.readiness_decide(application=application, by=analyst, accept=True, comment="Go.")

    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 1)


@pytest.mark.parametrize("score", ["0", "6", "-1", "x"])
def test_r13_score_outside_one_to_five_is_rejected_by_the_form(score):
    """R1.3: each criterion is scored 1–5; anything else is rejected by the form."""
    data = {}
    for criterion in ReadinessCriterion:
        data[f"{criterion.value}_score"] = "3"
        data[f"{criterion.value}_comment"] = "Fine."
    data["process_maturity_score"] = score
    form = ReadinessForm(data)

    valid = form.is_valid()

    assert valid is False
    assert form.errors == {
        "process_maturity_score": [
            f"Select a valid choice. {score} is not one of the available choices."
        ]
    }


def test_r13_readiness_page_rejects_a_score_of_six_and_keeps_the_input(client):
    """R1.3: the readiness page refuses a score outside 1–5, stores nothing, keeps the rest."""
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    SetupMeetingFactory(application=application, held=True)
    analyst = actor("analyst", application)
    client.force_login(analyst)
    data = {"seen_state": S.READINESS_REVIEW}
    for criterion in ReadinessCriterion:
        data[f"{criterion.value}_score"] = "4"
        data[f"{criterion.value}_comment"] = f"About {criterion.label}."
    data["support_resources_score"] = "6"

    response = client.post(reverse("readiness", args=[application.pk]), data)

    assert errors(response) == ["Select a valid choice. 6 is not one of the available choices."]
    assert field_value(response, "support_resources_comment") == (
        "About Resources for supporting the solution."
    )
    assert field_value(response, "process_maturity_score") == ["4"]
    assert ReadinessScore.objects.count() == 0


# --- R2.1 -----------------------------------------------------------------------------

LEADER_DECISIONS = [
    (S.AWAITING_APPROVAL, "approve"),
    (S.AWAITING_APPROVAL, "defer"),
    (S.AWAITING_APPROVAL, "decline_approval"),
    (S.DEFERRED, "resume"),
    (S.DEFERRED, "decline_approval"),
]


@pytest.mark.parametrize(("state", "decision"), LEADER_DECISIONS)
@pytest.mark.parametrize(
    "role", ["own_partner", "other_partner", "analyst", "rnd_expert", "auditor"]
)
def test_r21_only_leaders_decide_through_the_service(state, decision, role):
    """R2.1: approve, defer, decline and resume are refused to everyone but leaders."""
    application = request_in(state)
    user = actor(role, application)

    with pytest.raises(PermissionDenied):
        services.leader_decide(
            application=application,
            by=user,
            decision=decision,
            comment="Mine?",
            priority=Priority.LOW,
        )

    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.priority, StateLog.objects.count()) == (state, Priority.HIGH, 0)


@pytest.mark.parametrize(("state", "decision"), LEADER_DECISIONS)
def test_r21_leader_decides_through_the_service(state, decision):
    """R2.1: a leader takes each of the stage-2 decisions."""
    application = request_in(state)
    leader = actor("leader", application)

    log = services.leader_decide(
        application=application, by=leader, decision=decision, comment="Decided."
    )

    assert (log.by, log.transition, log.source_state) == (leader, decision, state)
    assert Application.objects.get(pk=application.pk).state == log.state


@pytest.mark.parametrize("role", ["analyst", "rnd_expert", "auditor"])
def test_r21_decide_view_is_forbidden_to_other_staff(client, role):
    """R2.1: the admin decide view answers 403 to staff who are not leaders."""
    application = request_in(S.AWAITING_APPROVAL)
    client.force_login(actor(role, application))

    shown = client.get(decide_url(application, "approve"))
    posted = client.post(
        decide_url(application, "approve"),
        {
            "priority": Priority.HIGH,
            "comment": "Approved by me?",
            "seen_state": S.AWAITING_APPROVAL,
        },
    )

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


@pytest.mark.parametrize("role", ["own_partner", "other_partner"])
def test_r21_decide_view_does_not_exist_for_partners(client, role):
    """R2.1: a partner finds no decide view at all (404), their own request or not."""
    application = request_in(S.AWAITING_APPROVAL)
    client.force_login(actor(role, application))

    response = client.post(
        decide_url(application, "approve"),
        {
            "priority": Priority.HIGH,
            "comment": "Approve my own.",
            "seen_state": S.AWAITING_APPROVAL,
        },
    )

    assert response.status_code == 404
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


def test_r21_leader_approves_in_the_decide_view(client):
    """R2.1: a leader approves in the admin with a priority, and sees it recorded."""
    application = request_in(S.AWAITING_APPROVAL)
    Application.objects.filter(pk=application.pk).update(priority=None)
    leader = actor("leader", application)
    client.force_login(leader)

    response = client.post(
        decide_url(application, "approve"),
        {"priority": Priority.MEDIUM, "comment": "Broad need.", "seen_state": S.AWAITING_APPROVAL},
        follow=True,
    )

    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.priority) == (S.AWAITING_MATERIALS, Priority.MEDIUM)
    assert response.redirect_chain == [(change_url(application), 302)]
    assert texts(response, "li", **{"class": "success"}) == ["Decision recorded: Approve."]


def test_r21_admin_change_page_offers_decisions_only_to_leaders(client):
    """R2.1: the decision buttons are shown to a leader and not to an analyst."""
    application = request_in(S.AWAITING_APPROVAL)
    analyst, leader = actor("analyst", application), actor("leader", application)

    client.force_login(leader)
    for_leader = client.get(change_url(application))
    client.force_login(analyst)
    for_analyst = client.get(change_url(application))

    assert texts(find_all(for_leader, id="decisions")[0], "a") == ["Approve", "Defer", "Decline"]
    assert texts(find_all(for_analyst, id="decisions")[0], "a") == []
    assert texts(find_all(for_analyst, id="decisions")[0], "span") == [
        "No decision is yours to take in this state."
    ]


# --- R2.2 -----------------------------------------------------------------------------


def test_r22_approve_refused_until_the_stage_two_facts_are_recorded():
    """R2.2: approval is refused until the portfolio overlap is recorded."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)
    leader = actor("leader", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.leader_decide(
            application=application,
            by=leader,
            decision="approve",
            comment="Go.",
            priority=Priority.HIGH,
        )

    assert refused.value.reasons == [R22]
    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.priority, StateLog.objects.count()) == (
        S.AWAITING_APPROVAL,
        None,
        0,
    )


def test_r22_blank_overlap_note_does_not_count_as_recorded():
    """R2.2: an overlap note of blanks leaves the facts unrecorded."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL, priority=Priority.HIGH)
    ApprovalFactsFactory(application=application, overlap_note="  \n ")
    leader = actor("leader", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.leader_decide(application=application, by=leader, decision="approve", comment="")

    assert refused.value.reasons == [R22]


def portfolio_rows(response):
    """The rows of the admin's "overlap with the Marketplace portfolio" table."""
    (portfolio,) = [
        fieldset
        for fieldset in find_all(response, "fieldset")
        if texts(fieldset, "h2") == ["Overlap with the Marketplace portfolio (R2.2)"]
    ]
    return [texts(row, "td") for row in find_all(portfolio, "tr")[1:]]


def test_r22_admin_change_page_lists_the_portfolio_in_the_same_business_area(client):
    """R2.2: the leader sees other published solutions of the area, certified ones marked."""
    application = request_in(S.AWAITING_APPROVAL, solution__category="Telephony")
    certified = SolutionFactory(name="Alpha Phone", category="telephony")
    ApplicationFactory(solution=certified, state=S.AWAITING_MATERIALS)
    plain = SolutionFactory(name="Beta Phone", category="Telephony")
    ApplicationFactory(solution=plain, state=S.AWAITING_APPROVAL)
    SolutionFactory(name="Gamma Phone", category="Telephony", unpublished=True)
    SolutionFactory(name="Delta Docs", category="Document flow")
    client.force_login(actor("leader", application))

    response = client.get(change_url(application))

    assert portfolio_rows(response) == [
        ["Alpha Phone", certified.partner.name, "yes"],
        ["Beta Phone", plain.partner.name, "no"],
    ]
    assert [(s.name, s.in_certification) for s in selectors.overlap_candidates(application)] == [
        ("Alpha Phone", True),
        ("Beta Phone", False),
    ]


def test_r22_admin_change_page_says_when_nothing_overlaps(client):
    """R2.2: with no other published solution in the area the page says so."""
    application = request_in(S.AWAITING_APPROVAL, solution__category="Rare area")
    SolutionFactory(name="Same Partner Other Area", partner=application.solution.partner)
    client.force_login(actor("leader", application))

    response = client.get(change_url(application))

    assert portfolio_rows(response) == [["No other published solution in this business area."]]


# --- R2.3 -----------------------------------------------------------------------------


def test_r23_roadmap_conflict_refuses_approve_and_defer():
    """R2.3: when R&D plans similar functionality within a year, approve and defer are refused."""
    application = request_in(S.AWAITING_APPROVAL)
    ApprovalFacts.objects.filter(application=application).update(
        roadmap_conflict=True, roadmap_note="R&D ships it in Q3."
    )
    application = Application.objects.get(pk=application.pk)
    leader = actor("leader", application)

    refusals = []
    for decision in ("approve", "defer"):
        with pytest.raises(services.ActionRefused) as refused:
            services.leader_decide(
                application=application, by=leader, decision=decision, comment="Still."
            )
        refusals.append(refused.value.reasons)

    assert refusals == [[R23], [R23]]
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


def test_r23_roadmap_conflict_leaves_decline_only(client):
    """R2.3: with a roadmap conflict the admin offers "Decline" only and says why."""
    application = request_in(S.AWAITING_APPROVAL)
    ApprovalFacts.objects.filter(application=application).update(
        roadmap_conflict=True, roadmap_note="R&D ships it in Q3."
    )
    leader = actor("leader", application)
    client.force_login(leader)

    page = client.get(change_url(application))
    declined = client.post(
        decide_url(application, "decline_approval"),
        {"comment": "R&D builds it.", "seen_state": S.AWAITING_APPROVAL},
    )

    assert texts(find_all(page, id="decisions")[0], "a") == ["Decline"]
    assert texts(page, "p", **{"class": "errornote"}) == [R23]
    assert declined.status_code == 302
    assert states_and_logs(application) == (S.DECLINED, 1)


def test_r23_approve_in_the_decide_view_shows_the_reason(client):
    """R2.3: forcing "approve" in the admin is refused with the R2.3 reason; input kept."""
    application = request_in(S.AWAITING_APPROVAL)
    ApprovalFacts.objects.filter(application=application).update(
        roadmap_conflict=True, roadmap_note="R&D ships it in Q3."
    )
    client.force_login(actor("leader", application))

    response = client.post(
        decide_url(application, "approve"),
        {"priority": Priority.HIGH, "comment": "Anyway.", "seen_state": S.AWAITING_APPROVAL},
    )

    assert errors(response) == [R23]
    assert field_value(response, "comment") == "Anyway."
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


# --- R2.4 -----------------------------------------------------------------------------


def test_r24_customer_requests_are_recorded_with_the_facts(client):
    """R2.4: the analyst records how many customers asked for the functionality."""
    application = request_in(S.READINESS_REVIEW)
    analyst = actor("analyst", application)
    client.force_login(analyst)

    response = client.post(
        reverse("approval_facts", args=[application.pk]),
        {
            "overlap_note": "One similar, none certified.",
            "roadmap_note": "",
            "customer_requests": "12",
            "seen_state": S.READINESS_REVIEW,
        },
    )

    facts = ApprovalFacts.objects.get(application=application)
    assert response.status_code == 302
    assert (facts.customer_requests, facts.overlap_note, facts.updated_by) == (
        12,
        "One similar, none certified.",
        analyst,
    )


def test_r24_customer_requests_are_shown_to_the_leader(client):
    """R2.4: the leader sees the number of customer requests where they decide."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL, priority=Priority.HIGH)
    ApprovalFactsFactory(application=application, customer_requests=17)
    client.force_login(actor("leader", application))

    decide_page = client.get(decide_url(application, "approve"))
    detail_page = client.get(reverse("application_detail", args=[application.pk]))

    (content,) = find_all(decide_page, "div", id="content")
    assert texts(find_all(content, "ul")[0], "li") == [
        "Portfolio overlap: No certified solution covers this.",
        "Roadmap conflict: no",
        "Customer requests: 17",
    ]
    (facts,) = find_all(detail_page, "dl")
    assert dict(zip(texts(facts, "dt"), texts(facts, "dd"), strict=True))["Customer requests"] == (
        "17"
    )


def test_r24_approve_requires_the_facts_including_customer_requests():
    """R2.4: without the facts (customer requests among them) approval is refused."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL, priority=Priority.HIGH)
    leader = actor("leader", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.leader_decide(application=application, by=leader, decision="approve", comment="")

    assert refused.value.reasons == [R22]
    assert "R2.4" in R22


def test_r24_customer_requests_must_be_a_non_negative_number(client):
    """R2.4: the facts form refuses a negative number of customer requests."""
    application = request_in(S.READINESS_REVIEW)
    client.force_login(actor("analyst", application))

    response = client.post(
        reverse("approval_facts", args=[application.pk]),
        {
            "overlap_note": "Typed note.",
            "customer_requests": "-3",
            "seen_state": S.READINESS_REVIEW,
        },
    )

    assert errors(response) == ["Ensure this value is greater than or equal to 0."]
    assert field_value(response, "overlap_note") == "Typed note."
    assert ApprovalFacts.objects.count() == 0


# --- R2.5 -----------------------------------------------------------------------------


def test_r25_approve_refused_without_a_priority():
    """R2.5: approval needs a priority."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)
    ApprovalFactsFactory(application=application)
    leader = actor("leader", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.leader_decide(application=application, by=leader, decision="approve", comment="")

    assert refused.value.reasons == [R25]
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


def test_r25_priority_is_recorded_in_the_timeline_comment():
    """R2.5: the priority chosen is written into the timeline entry of the decision."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)
    ApprovalFactsFactory(application=application)
    leader = actor("leader", application)

    services.leader_decide(
        application=application,
        by=leader,
        decision="approve",
        priority=Priority.HIGH,
        comment="Broad need.",
    )

    entry = TimelineEntry.objects.for_(application).select_related("system_text").get()
    assert entry.comment_text == (
        "Priority: High — broad need not covered by the base products. Broad need."
    )
    assert Application.objects.get(pk=application.pk).priority == Priority.HIGH


def test_r25_decide_view_requires_a_priority_to_approve(client):
    """R2.5: the admin approve form refuses to go on without a priority, keeping the comment."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)
    ApprovalFactsFactory(application=application)
    client.force_login(actor("leader", application))

    response = client.post(
        decide_url(application, "approve"),
        {"priority": "", "comment": "Typed reason.", "seen_state": S.AWAITING_APPROVAL},
    )

    assert errors(response) == ["This field is required."]
    assert field_value(response, "comment") == "Typed reason."
    assert states_and_logs(application) == (S.AWAITING_APPROVAL, 0)


def test_r25_admin_list_orders_by_priority(client):
    """R2.5: the leaders' list shows high-priority requests first, then by waiting time."""
    now = timezone.now()
    rows = [
        (Priority.LOW, 9),
        (Priority.HIGH, 1),
        (Priority.MEDIUM, 5),
        (Priority.HIGH, 7),
    ]
    made = []
    for priority, days in rows:
        application = ApplicationFactory(state=S.AWAITING_APPROVAL)
        Application.objects.filter(pk=application.pk).update(
            priority=priority, state_changed_at=now - timedelta(days=days)
        )
        made.append(application.pk)
    client.force_login(actor("leader"))

    response = client.get(reverse("admin:workflow_application_changelist"))

    shown = texts(response, "th", **{"class": "field-pk"})
    assert shown == [str(made[3]), str(made[1]), str(made[2]), str(made[0])]
    assert [r.priority for r in response.context["cl"].result_list] == [1, 1, 2, 3]


def test_r25_priority_is_shown_on_the_request(client):
    """R2.5: the priority set by the leaders is shown on the request page."""
    application = request_in(S.AWAITING_MATERIALS)
    Application.objects.filter(pk=application.pk).update(priority=Priority.LOW)
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert "Priority: Low — narrow need" in texts(response, "p")


# --- who may act on a request: the matrix of workflow's permissions ----------------------

# Asked with the request.           own  other analyst leader R&D auditor anonymous superuser sales
ON_A_REQUEST = {
    "workflow.view_application":     "Y N Y Y Y Y N Y N",
    "workflow.submit_application":   "Y N N N N N N Y N",
    "workflow.withdraw_application": "Y N N N N N N Y N",
    "workflow.view_internal_notes":  "N N Y Y Y Y N Y N",
    "workflow.run_stage_one":        "N N Y N N N N Y N",
    "workflow.edit_approval_facts":  "N N Y Y N N N Y N",
    "workflow.view_material":        "Y N Y Y Y Y N Y N",
    "workflow.upload_material":      "Y N N N N N N Y N",
}  # fmt: skip

# Asked with nothing.               own  other analyst leader R&D auditor anonymous superuser sales
WITHOUT_A_RECORD = {
    "workflow.view_queue":           "N N Y Y Y Y N Y N",
}  # fmt: skip

# Asked with a material.            own  other analyst leader R&D auditor anonymous superuser sales
ON_A_MATERIAL = {
    "workflow.view_material":        "Y N Y Y Y Y N Y N",
    "workflow.upload_material":      "Y N N N N N N Y N",
}  # fmt: skip


@matrix(ON_A_REQUEST)
def test_who_may_act_on_a_request(permission, role, expected):
    application = ApplicationFactory()

    assert holds(role, permission, application) is expected


@matrix(WITHOUT_A_RECORD)
def test_who_sees_the_queue(permission, role, expected):
    assert holds(role, permission, None, owner=ApplicationFactory()) is expected


@matrix(ON_A_MATERIAL)
def test_who_may_see_and_upload_a_material(permission, role, expected):
    material = MaterialFactory()

    assert holds(role, permission, material, owner=material.application) is expected


@matrix({
    "workflow.add_application":      "Y N N N N N N Y N",
})  # fmt: skip
def test_r11_only_the_solutions_developer_may_file_a_request(permission, role, expected):
    """R1.1: the permission to file a request, asked with the solution, is its partner's."""
    solution = SolutionFactory()

    assert holds(role, permission, solution) is expected


@matrix({
    "workflow.decide_application":   "N N N Y N N N Y N",
})  # fmt: skip
def test_r21_only_leaders_hold_the_decision(permission, role, expected):
    """R2.1: only leaders (and a superuser) hold `workflow.decide_application`."""
    application = ApplicationFactory(state=S.AWAITING_APPROVAL)

    assert holds(role, permission, application) is expected
