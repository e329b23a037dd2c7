"""The request's state machine: every (state, action, role), allowed and refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_fsm_log.models import StateLog

from catalogue.models import Solution
from workflow import conditions, services
from workflow.enums import ApplicationState, Priority, ReadinessCriterion
from workflow.models import Application, ApprovalFacts, SetupMeeting, TimelineEntry

from ..factories.workflow import (
    ROLES,
    ApplicationFactory,
    ReadinessScoreFactory,
    actor,
    score_all_criteria,
    with_state_records,
)

S = ApplicationState
pytestmark = pytest.mark.django_db

ACTIVE = [
    S.DRAFT,
    S.SUBMITTED,
    S.MEETING_SCHEDULED,
    S.READINESS_REVIEW,
    S.AWAITING_APPROVAL,
    S.DEFERRED,
    S.AWAITING_MATERIALS,
    S.SUBMITTED_FOR_REVIEW,
    S.IN_REVIEW,
    S.CHANGES_REQUESTED,
    S.QUALITY_PASSED,
    S.SUPPORT_REVIEW,
    S.REMEDIATION,
    S.SUPPORT_PASSED,
]

# action: (the states it leaves from, the state it leads to, the only role that takes it)
EDGES = {
    "submit": ([S.DRAFT], S.SUBMITTED, "own_partner"),
    "edit_draft": ([S.DRAFT], S.DRAFT, "own_partner"),
    "schedule_meeting": ([S.SUBMITTED], S.MEETING_SCHEDULED, "analyst"),
    "reschedule_meeting": ([S.MEETING_SCHEDULED], S.MEETING_SCHEDULED, "analyst"),
    "hold_meeting": ([S.MEETING_SCHEDULED], S.READINESS_REVIEW, "analyst"),
    "accept": ([S.READINESS_REVIEW], S.AWAITING_APPROVAL, "analyst"),
    "decline_readiness": ([S.READINESS_REVIEW], S.DECLINED, "analyst"),
    "approve": ([S.AWAITING_APPROVAL], S.AWAITING_MATERIALS, "leader"),
    "defer": ([S.AWAITING_APPROVAL], S.DEFERRED, "leader"),
    "resume": ([S.DEFERRED], S.AWAITING_APPROVAL, "leader"),
    "decline_approval": ([S.AWAITING_APPROVAL, S.DEFERRED], S.DECLINED, "leader"),
    "withdraw": (ACTIVE, S.WITHDRAWN, "own_partner"),
}


def _cases(kind):
    for state in S:
        for action, (sources, _target, allowed_role) in EDGES.items():
            for role in ROLES:
                if state not in sources:
                    outcome = "wrong_state"
                elif role != allowed_role:
                    outcome = "wrong_role"
                else:
                    outcome = "allowed"
                if outcome == kind:
                    yield pytest.param(state, action, role, id=f"{state}-{action}-{role}")


ALLOWED = list(_cases("allowed"))
WRONG_ROLE = list(_cases("wrong_role"))
WRONG_STATE = list(_cases("wrong_state"))


def request_in(state, **kwargs):
    """A request in `state` with everything that state implies already recorded."""
    return with_state_records(ApplicationFactory(state=state, **kwargs))


def recorded(application):
    """What a refused action must leave untouched: the stored state and the timeline."""
    stored = Application.objects.get(pk=application.pk)
    entries = list(StateLog.objects.for_(stored).values_list("source_state", "state", "transition"))
    return stored.state, entries


def timeline_rows(application):
    """The timeline as its readers see it: each entry's comment in the active language."""
    return [
        (entry.by, entry.source_state, entry.state, entry.transition, entry.comment_text or None)
        for entry in TimelineEntry.objects.for_(application)
        .select_related("system_text")
        .order_by("pk")
    ]


def test_matrix_covers_every_state_action_and_role():
    total = len(ALLOWED) + len(WRONG_ROLE) + len(WRONG_STATE)

    assert total == len(S) * len(EDGES) * len(ROLES)
    assert len(ALLOWED) == 26


# --- services.apply_transition: the whole matrix ----------------------------------------


@pytest.mark.parametrize(("state", "action", "role"), ALLOWED)
def test_apply_transition_allowed_moves_state_and_writes_timeline(state, action, role):
    application = request_in(state)
    user = actor(role, application)

    log = services.apply_transition(application, action, by=user, comment="  Checked.  ")

    target = EDGES[action][1]
    application.refresh_from_db()
    assert application.state == target
    assert timeline_rows(application) == [(user, state, target, action, "Checked.")]
    assert log == StateLog.objects.for_(application).get()


@pytest.mark.parametrize(("state", "action", "role"), WRONG_ROLE)
def test_apply_transition_wrong_role_is_permission_denied(state, action, role):
    application = request_in(state)
    user = actor(role, application)
    before = recorded(application)

    with pytest.raises(PermissionDenied):
        services.apply_transition(application, action, by=user, comment="Not mine to do.")

    assert recorded(application) == before
    assert application.state == state


@pytest.mark.parametrize(("state", "action", "role"), WRONG_STATE)
def test_apply_transition_wrong_state_is_refused(state, action, role):
    application = request_in(state)
    user = actor(role, application)
    before = recorded(application)

    with pytest.raises(services.ActionRefused) as refused:
        services.apply_transition(application, action, by=user, comment="Too late or early.")

    label = S(state).label
    assert refused.value.reasons == [f"This request is “{label}”: that action is not possible now."]
    assert recorded(application) == before


def test_apply_transition_without_comment_records_no_description():
    application = request_in(S.DRAFT)
    partner = actor("own_partner", application)

    services.apply_transition(application, "submit", by=partner)

    assert timeline_rows(application) == [(partner, S.DRAFT, S.SUBMITTED, "submit", None)]


def test_transition_sets_state_changed_at_and_submitted_at():
    application = request_in(S.DRAFT)
    Application.objects.filter(pk=application.pk).update(
        state_changed_at=timezone.now() - timedelta(days=3)
    )
    application.refresh_from_db()
    partner = actor("own_partner", application)
    started = timezone.now()

    services.application_submit(application=application, by=partner)

    application.refresh_from_db()
    assert application.submitted_at >= started
    assert application.state_changed_at >= started


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (S.READINESS_REVIEW, "decline_readiness"),
        (S.AWAITING_APPROVAL, "decline_approval"),
        (S.DEFERRED, "decline_approval"),
        (S.SUBMITTED, "withdraw"),
        (S.AWAITING_MATERIALS, "withdraw"),
    ],
)
def test_closing_transition_records_the_stage_it_stopped_in(state, action):
    application = request_in(state)
    user = actor(EDGES[action][2], application)
    stage = application.stage

    services.apply_transition(application, action, by=user, comment="Closed.")

    application.refresh_from_db()
    assert application.closed_in_stage == stage
    assert application.stage_reached == stage
    assert application.is_active is False


# --- Unmet conditions: refused with the reason, nothing written -------------------------


def _unpublished(application):
    Solution.objects.filter(pk=application.solution_id).update(is_published=False)


def _meeting_not_held(application):
    SetupMeeting.objects.filter(application=application).update(held_at=None)


def _one_score_missing(application):
    application.readiness_scores.filter(criterion=ReadinessCriterion.PROCESS_MATURITY).delete()


def _no_facts(application):
    ApprovalFacts.objects.filter(application=application).delete()


def _blank_overlap_note(application):
    ApprovalFacts.objects.filter(application=application).update(overlap_note="   ")


def _no_priority(application):
    Application.objects.filter(pk=application.pk).update(priority=None)


def _roadmap_conflict(application):
    ApprovalFacts.objects.filter(application=application).update(
        roadmap_conflict=True, roadmap_note="R&D ships it in Q3."
    )


UNMET = [
    (S.DRAFT, "submit", _unpublished, conditions.solution_is_published),
    (S.READINESS_REVIEW, "accept", _meeting_not_held, conditions.meeting_was_held),
    (S.READINESS_REVIEW, "decline_readiness", _meeting_not_held, conditions.meeting_was_held),
    (S.READINESS_REVIEW, "accept", _one_score_missing, conditions.readiness_is_assessed),
    (
        S.READINESS_REVIEW,
        "decline_readiness",
        _one_score_missing,
        conditions.readiness_is_assessed,
    ),
    (S.AWAITING_APPROVAL, "approve", _no_facts, conditions.approval_facts_complete),
    (S.AWAITING_APPROVAL, "approve", _blank_overlap_note, conditions.approval_facts_complete),
    (S.AWAITING_APPROVAL, "approve", _no_priority, conditions.priority_is_set),
    (S.AWAITING_APPROVAL, "approve", _roadmap_conflict, conditions.no_roadmap_conflict),
    (S.AWAITING_APPROVAL, "defer", _roadmap_conflict, conditions.no_roadmap_conflict),
]


@pytest.mark.parametrize(
    ("state", "action", "spoil", "condition"),
    [pytest.param(*case, id=f"{case[1]}-{case[2].__name__.strip('_')}") for case in UNMET],
)
def test_apply_transition_unmet_condition_is_refused_with_its_reason(
    state, action, spoil, condition
):
    application = request_in(state)
    spoil(application)
    application = Application.objects.get(pk=application.pk)
    user = actor(EDGES[action][2], application)
    before = recorded(application)

    with pytest.raises(services.ActionRefused) as refused:
        services.apply_transition(application, action, by=user)

    assert refused.value.reasons == [str(condition.message)]
    assert recorded(application) == before


def test_apply_transition_nothing_prepared_lists_every_reason():
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    analyst = actor("analyst", application)

    with pytest.raises(services.ActionRefused) as refused:
        services.apply_transition(application, "accept", by=analyst)

    assert refused.value.reasons == [
        "The set-up meeting must be held first (R1.2).",
        "All four readiness criteria must be scored first (R1.3).",
    ]


def test_roadmap_conflict_leaves_only_decline_to_the_leader():
    application = request_in(S.AWAITING_APPROVAL)
    _roadmap_conflict(application)
    application = Application.objects.get(pk=application.pk)
    leader = actor("leader", application)

    actions, blocked = services.actions_for(application, leader)

    r23 = str(conditions.no_roadmap_conflict.message)
    assert actions == ["decline_approval"]
    assert blocked == {"approve": [r23], "defer": [r23]}


@pytest.mark.parametrize(
    ("state", "role", "actions"),
    [
        (S.DRAFT, "own_partner", ["edit_draft", "submit", "withdraw"]),
        (S.DRAFT, "analyst", []),
        (S.SUBMITTED, "own_partner", ["withdraw"]),
        (S.SUBMITTED, "analyst", ["schedule_meeting"]),
        (S.MEETING_SCHEDULED, "analyst", ["hold_meeting"]),
        (S.READINESS_REVIEW, "analyst", ["accept", "decline_readiness"]),
        (S.AWAITING_APPROVAL, "analyst", []),
        (S.AWAITING_APPROVAL, "leader", ["approve", "decline_approval", "defer"]),
        (S.DEFERRED, "leader", ["decline_approval", "resume"]),
        (S.AWAITING_MATERIALS, "own_partner", ["withdraw"]),
        (S.AWAITING_MATERIALS, "leader", []),
        (S.DECLINED, "own_partner", []),
        (S.WITHDRAWN, "own_partner", []),
        (S.AWAITING_APPROVAL, "other_partner", []),
        (S.AWAITING_APPROVAL, "rnd_expert", []),
        (S.AWAITING_APPROVAL, "auditor", []),
    ],
)
def test_available_actions_are_those_the_role_may_take_now(state, role, actions):
    application = request_in(state)
    user = actor(role, application)

    available, _blocked = services.actions_for(application, user)

    assert sorted(available) == actions


# --- The specific services ---------------------------------------------------------------

WHEN = datetime(2030, 3, 14, 10, 30, tzinfo=UTC)


def _call(action, application, user):
    """Take `action` through the service a page or job calls for it."""
    match action:
        case "submit":
            return services.application_submit(application=application, by=user)
        case "edit_draft":
            return services.application_edit(
                application=application,
                by=user,
                version=application.version,
                motivation="Customers asked for it.",
            )
        case "schedule_meeting" | "reschedule_meeting":
            return services.meeting_schedule(
                application=application,
                by=user,
                scheduled_for=WHEN,
                location="Room 7",
                agenda="Introductions.",
            )
        case "hold_meeting":
            return services.meeting_record(
                application=application, by=user, held_at=WHEN, notes="Four people came."
            )
        case "accept" | "decline_readiness":
            return services.readiness_decide(
                application=application, by=user, accept=action == "accept", comment="Judged."
            )
        case "approve" | "defer" | "resume" | "decline_approval":
            return services.leader_decide(
                application=application, by=user, decision=action, comment="Decided."
            )
        case "withdraw":
            return services.application_withdraw(
                application=application, by=user, reason="Not now."
            )
    raise AssertionError(action)


SERVICE_COMMENT = {
    "submit": None,
    "edit_draft": "Motivation changed.",
    "schedule_meeting": "Meeting on 14 Mar 2030, 10:30 UTC, Room 7.",
    "reschedule_meeting": "Meeting on 14 Mar 2030, 10:30 UTC, Room 7.",
    "hold_meeting": "Set-up meeting held on 14 Mar 2030, 10:30 UTC.",
    "accept": "Judged.",
    "decline_readiness": "Judged.",
    "approve": "Decided.",
    "defer": "Decided.",
    "resume": "Decided.",
    "decline_approval": "Decided.",
    "withdraw": "Not now.",
}


MEETING_ACTIONS = ("schedule_meeting", "reschedule_meeting")
MEETING_SCHEDULING_STATES = (S.SUBMITTED, S.MEETING_SCHEDULED)


def _meeting(application):
    return SetupMeeting.objects.filter(application=application).values_list(
        "scheduled_for", "location", "agenda", "held_at", "notes"
    )


@pytest.mark.parametrize(("state", "action", "role"), ALLOWED)
def test_service_allowed_moves_state_and_writes_timeline(state, action, role):
    application = request_in(state)
    user = actor(role, application)

    _call(action, application, user)

    target = EDGES[action][1]
    application.refresh_from_db()
    assert application.state == target
    assert timeline_rows(application) == [(user, state, target, action, SERVICE_COMMENT[action])]


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        pytest.param(state, action, role, id=f"{action}-{role}")
        for action, (sources, _target, allowed_role) in EDGES.items()
        for state in sources[:1]
        for role in ROLES
        if role != allowed_role
    ],
)
def test_service_wrong_role_is_permission_denied_and_writes_nothing(state, action, role):
    application = request_in(state)
    user = actor(role, application)
    before = recorded(application), list(_meeting(application))

    with pytest.raises(PermissionDenied):
        _call(action, application, user)

    assert (recorded(application), list(_meeting(application))) == before


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        case
        for case in WRONG_STATE
        if case.values[2] == EDGES[case.values[1]][2]
        # One service schedules or moves the meeting, whichever the state calls for.
        and not (case.values[1] in MEETING_ACTIONS and case.values[0] in MEETING_SCHEDULING_STATES)
    ],
)
def test_service_wrong_state_is_refused_and_writes_nothing(state, action, role):
    application = request_in(state)
    user = actor(role, application)
    before = recorded(application), list(_meeting(application)), application.priority

    with pytest.raises(services.ActionRefused):
        _call(action, application, user)

    stored = Application.objects.get(pk=application.pk)
    assert (recorded(application), list(_meeting(application)), stored.priority) == before


def test_meeting_schedule_in_submitted_creates_the_meeting():
    application = request_in(S.SUBMITTED)
    analyst = actor("analyst", application)

    services.meeting_schedule(
        application=application,
        by=analyst,
        scheduled_for=WHEN,
        location="https://meet.example/abc",
        agenda="Roadmap.",
    )

    meeting = SetupMeeting.objects.get(application=application)
    assert (meeting.scheduled_for, meeting.location, meeting.agenda, meeting.organiser) == (
        WHEN,
        "https://meet.example/abc",
        "Roadmap.",
        analyst,
    )


def test_meeting_schedule_in_meeting_scheduled_moves_the_meeting_and_keeps_the_state():
    application = request_in(S.SUBMITTED)
    analyst = actor("analyst", application)
    services.meeting_schedule(
        application=application, by=analyst, scheduled_for=WHEN, location="Room 1"
    )
    since = Application.objects.get(pk=application.pk).state_changed_at
    later = WHEN + timedelta(days=2)

    services.meeting_schedule(
        application=application, by=analyst, scheduled_for=later, location="Room 2"
    )

    application.refresh_from_db()
    meeting = SetupMeeting.objects.get(application=application)
    assert application.state == S.MEETING_SCHEDULED
    assert application.state_changed_at == since
    assert (meeting.scheduled_for, meeting.location) == (later, "Room 2")
    assert [(row[1], row[2], row[3], row[4]) for row in timeline_rows(application)] == [
        (
            S.SUBMITTED,
            S.MEETING_SCHEDULED,
            "schedule_meeting",
            "Meeting on 14 Mar 2030, 10:30 UTC, Room 1.",
        ),
        (
            S.MEETING_SCHEDULED,
            S.MEETING_SCHEDULED,
            "reschedule_meeting",
            "Meeting on 16 Mar 2030, 10:30 UTC, Room 2.",
        ),
    ]


def test_meeting_record_sets_held_at_and_notes():
    application = request_in(S.MEETING_SCHEDULED)
    analyst = actor("analyst", application)

    services.meeting_record(
        application=application, by=analyst, held_at=WHEN, notes="Support team of four."
    )

    meeting = SetupMeeting.objects.get(application=application)
    assert (meeting.held_at, meeting.notes) == (WHEN, "Support team of four.")


def test_readiness_scores_save_stores_each_criterion():
    application = request_in(S.MEETING_SCHEDULED)
    Application.objects.filter(pk=application.pk).update(state=S.READINESS_REVIEW)
    application.refresh_from_db()
    analyst = actor("analyst", application)
    scores = {c.value: (n, f"Comment {n}") for n, c in enumerate(ReadinessCriterion, start=1)}

    services.readiness_scores_save(application=application, by=analyst, scores=scores)

    stored = {
        s.criterion: (s.score, s.comment, s.assessed_by) for s in application.readiness_scores.all()
    }
    assert stored == {c: (n, text, analyst) for c, (n, text) in scores.items()}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "analyst"])
def test_readiness_scores_save_other_role_is_permission_denied(role):
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    user = actor(role, application)

    with pytest.raises(PermissionDenied):
        services.readiness_scores_save(
            application=application, by=user, scores={ReadinessCriterion.SUPPORT_RESOURCES: (3, "")}
        )

    assert application.readiness_scores.count() == 0


def test_leader_decide_priority_only_with_a_decision_is_recorded():
    application = request_in(S.AWAITING_APPROVAL)
    Application.objects.filter(pk=application.pk).update(priority=None)
    application.refresh_from_db()
    leader = actor("leader", application)

    services.leader_decide(
        application=application,
        by=leader,
        decision="defer",
        priority=Priority.LOW,
        comment="Next year.",
    )

    application.refresh_from_db()
    assert application.priority == Priority.LOW
    assert timeline_rows(application)[-1][4] == "Priority: Low — narrow need. Next year."


def test_leader_decide_unknown_decision_is_a_programming_error():
    application = request_in(S.AWAITING_APPROVAL)
    leader = actor("leader", application)

    with pytest.raises(ValueError, match="withdraw"):
        services.leader_decide(
            application=application, by=leader, decision="withdraw", comment="No."
        )

    assert recorded(application) == (S.AWAITING_APPROVAL, [])


# --- The conditions, as pure functions -------------------------------------------------


@pytest.mark.parametrize(("published", "expected"), [(True, True), (False, False)])
def test_solution_is_published_follows_the_solution(published, expected):
    application = Application(solution=Solution(is_published=published))

    assert conditions.solution_is_published(application) is expected


def test_meeting_was_held_without_meeting_is_false():
    application = Application()

    assert conditions.meeting_was_held(application) is False


@pytest.mark.parametrize(("held", "expected"), [(False, False), (True, True)])
def test_meeting_was_held_follows_held_at(held, expected):
    application = Application()
    application.meeting = SetupMeeting(held_at=timezone.now() if held else None)

    assert conditions.meeting_was_held(application) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (None, True),
        (ApprovalFacts(roadmap_conflict=False), True),
        (ApprovalFacts(roadmap_conflict=True), False),
    ],
)
def test_no_roadmap_conflict_follows_the_facts(facts, expected):
    application = Application()
    if facts is not None:
        application.approval_facts = facts

    assert conditions.no_roadmap_conflict(application) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (None, False),
        (ApprovalFacts(overlap_note=""), False),
        (ApprovalFacts(overlap_note=" \n "), False),
        (ApprovalFacts(overlap_note="Two similar, none certified."), True),
    ],
)
def test_approval_facts_complete_needs_an_overlap_note(facts, expected):
    application = Application()
    if facts is not None:
        application.approval_facts = facts

    assert conditions.approval_facts_complete(application) is expected


@pytest.mark.parametrize(
    ("priority", "expected"),
    [(None, False), (Priority.HIGH, True), (Priority.MEDIUM, True), (Priority.LOW, True)],
)
def test_priority_is_set_follows_the_priority(priority, expected):
    application = Application(priority=priority)

    assert conditions.priority_is_set(application) is expected


@pytest.mark.parametrize("scored", [0, 1, 3])
def test_readiness_is_assessed_fewer_than_four_is_false(scored):
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    for criterion in list(ReadinessCriterion)[:scored]:
        ReadinessScoreFactory(application=application, criterion=criterion)

    assert conditions.readiness_is_assessed(application) is False


def test_readiness_is_assessed_all_four_is_true():
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    score_all_criteria(application)

    assert conditions.readiness_is_assessed(application) is True


@pytest.mark.parametrize(
    ("condition", "rule"),
    [
        (conditions.solution_is_published, "R1.1"),
        (conditions.meeting_was_held, "R1.2"),
        (conditions.readiness_is_assessed, "R1.3"),
        (conditions.no_roadmap_conflict, "R2.3"),
        (conditions.approval_facts_complete, "R2.2, R2.4"),
        (conditions.priority_is_set, "R2.5"),
    ],
)
def test_condition_message_names_its_rule(condition, rule):
    message = str(condition.message)

    assert message.endswith(f"({rule}).")


def test_factories_prepare_what_each_state_implies():
    meeting_scheduled = request_in(S.MEETING_SCHEDULED)
    readiness = request_in(S.READINESS_REVIEW)
    awaiting = request_in(S.AWAITING_APPROVAL)

    assert conditions.meeting_was_held(meeting_scheduled) is False
    assert conditions.meeting_was_held(readiness) is True
    assert conditions.readiness_is_assessed(readiness) is True
    assert conditions.approval_facts_complete(readiness) is False
    assert conditions.approval_facts_complete(awaiting) is True
    assert conditions.priority_is_set(awaiting) is True
