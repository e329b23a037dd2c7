"""Every write a user or a job makes on partners, solutions and certification requests.

Views, the admin, the API and tasks call these functions and nothing else. Each takes the
acting user as `by`, checks the rule that guards the action, writes inside one transaction
and queues its side effects (e-mail) to run after commit.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from django_fsm_log.models import StateLog

from catalogue.models import Solution, SolutionVersion
from catalogue.rules import require as _require
from certportal.errors import ActionRefused
from certportal.system_texts import Text, stored
from dod.enums import RoundOutcome
from outbox.notices import notify

from .. import texts
from ..enums import ACTIVE_STATES, ApplicationState, Priority, ReadinessCriterion
from ..models import (
    Application,
    ApprovalFacts,
    ReadinessScore,
    SetupMeeting,
    TimelineEntry,
    TimelineText,
)
from ..notifications import kind_of, recipients_for, render_message


def unmet_conditions(application: Application, action: str) -> list[str]:
    """Why `action` cannot run on `application` now, as messages for the user."""
    method = getattr(application, action)
    meta = method._django_fsm
    if not meta.has_transition(application.state):
        return [
            _("This request is “%(state)s”: that action is not possible now.")
            % {"state": application.get_state_display()}
        ]
    return _unmet(application, meta.get_transition(application.state))


def _unmet(application: Application, transition, *, with_form: bool = False) -> list[str]:
    settled = transition.custom.get("settled_by_form", ()) if with_form else ()
    return [
        str(getattr(cond, "message", cond.__name__))
        for cond in transition.conditions
        if cond.__name__ not in settled and not cond(application)
    ]


def _on_path(application: Application, transition) -> bool:
    return all(cond(application) for cond in transition.conditions if getattr(cond, "path", False))


def actions_for(
    application: Application, user, *, with_form: bool = False
) -> tuple[list[str], dict[str, list[str]]]:
    """What this user can do with the request now, and what they could but for a condition.

    Returns the names of the open transitions and, for the blocked ones, why. With
    `with_form`, a condition that the action's own form settles (a transition's
    `custom["settled_by_form"]`, e.g. the priority chosen on the approval form) does not block.
    """
    available, blocked = [], {}
    for transition in application.get_all_state_transitions():
        if transition.source not in (application.state, "*", "+"):
            continue
        if transition.name == "reschedule_meeting":
            continue  # offered as "move the meeting" beside hold_meeting
        if not transition.has_perm(application, user):
            continue
        if not _on_path(application, transition):
            continue
        if reasons := _unmet(application, transition, with_form=with_form):
            blocked[transition.name] = reasons
        else:
            available.append(transition.name)
    return available, blocked


def reasons_of(blocked: dict[str, list[str]]) -> list[str]:
    """The distinct reasons behind blocked actions, in order, to show once each."""
    return list(dict.fromkeys(reason for reasons in blocked.values() for reason in reasons))


def lock_in_states(application: Application, states, refusal: str) -> None:
    """Lock the request's row and check, in the database, that it is still in `states`.

    Guards writes that are not transitions against a stale copy: a request withdrawn or
    decided meanwhile refuses them.
    """
    current = (
        Application.objects.select_for_update()
        .filter(pk=application.pk)
        .values_list("state", flat=True)
        .first()
    )
    if current not in states:
        raise ActionRefused([refusal])


def apply_transition(
    application: Application, action: str, *, by, comment: Text | str = ""
) -> StateLog:
    """Run one transition as `by`, record it on the timeline and notify after commit. A
    `comment` in the system's words is a `Text`, kept as its facts (`TimelineText`).

    Raises PermissionDenied if `by` may not take it, ActionRefused if the state or a
    condition does not allow it, and django_fsm.ConcurrentTransition if someone else moved
    the request since it was loaded; in every case nothing is written.
    """
    method = getattr(application, action)
    meta = method._django_fsm
    if not meta.has_transition(application.state):
        raise ActionRefused(unmet_conditions(application, action))
    if not meta.has_transition_perm(application, application.state, by):
        raise PermissionDenied
    if not can_proceed(method):
        raise ActionRefused(unmet_conditions(application, action))
    code, params, typed = stored(comment)
    with transaction.atomic():
        method(by=by, description=typed.strip() or None)
        application.save()
        log = TimelineEntry.objects.for_(application).order_by("-pk").first()
        if code:
            TimelineText.objects.create(state_log=log, text_code=code, text_params=params)
        _notify_after_commit(application, log)
    return log


def _notify_after_commit(application: Application, log: TimelineEntry) -> None:
    """The step's e-mails, recorded with the step and sent after it commits (or later), to
    each recipient as they chose to receive the step's kind of message."""
    notify(
        "workflow.notify_transition",
        kind=kind_of(log.transition),
        recipients=recipients_for(application, log.transition),
        render=lambda _email, language: render_message(application, log, language),
        key=f"transition:{log.pk}",
        state_log_id=log.pk,
    )


# --- Solutions ---------------------------------------------------------------------------


def solution_register(*, by, solution: Solution) -> Solution:
    """Register a partner's solution (an unsaved instance from the form)."""
    _require(by, "catalogue.add_solution")
    solution.partner_id = by.partner_id
    solution.full_clean()
    solution.save()
    return solution


def solution_update(*, by, solution: Solution) -> Solution:
    _require(by, "catalogue.change_solution", solution)
    solution.full_clean()
    solution.save()
    return solution


def version_add(*, by, version: SolutionVersion) -> SolutionVersion:
    _require(by, "catalogue.add_solutionversion", version.solution)
    version.full_clean()
    version.save()
    return version


# --- Stage 1: the partner's request ------------------------------------------------------


def application_create(
    *, by, solution: Solution, version: SolutionVersion, motivation: str
) -> Application:
    """Open a draft request for a version of a published solution (R1.1)."""
    _require(by, "workflow.add_application", solution)
    if not solution.is_published:
        raise ValidationError(
            _("Only a solution published on the Marketplace can be certified (R1.1).")
        )
    if version.solution_id != solution.pk:
        raise ValidationError(_("That version belongs to another solution."))
    certification = getattr(solution, "certification", None)
    if certification is not None and certification.badge_on:
        raise ValidationError(
            _("%(solution)s is certified: a new version of it is an update (R3.2).")
            % {"solution": solution.name}
        )
    if Application.objects.filter(version=version, state__in=ACTIVE_STATES).exists():
        raise ValidationError(
            _("Version %(version)s already has an open certification request.")
            % {"version": version.number}
        )
    return Application.objects.create(
        solution=solution, version=version, motivation=motivation, created_by=by
    )


def application_edit(
    *, application: Application, by, version: SolutionVersion, motivation: str
) -> StateLog | None:
    """The partner edits its draft request: the version and the motivation. The timeline
    records what changed; nothing is written when nothing did."""
    _require(by, "workflow.edit_draft_application", application)
    if application.state != ApplicationState.DRAFT:
        raise ActionRefused(unmet_conditions(application, "edit_draft"))
    if version.solution_id != application.solution_id:
        raise ValidationError(_("That version belongs to another solution."))
    changes = []
    if version.pk != application.version_id:
        if (
            Application.objects.filter(version=version, state__in=ACTIVE_STATES)
            .exclude(pk=application.pk)
            .exists()
        ):
            raise ValidationError(
                _("Version %(version)s already has an open certification request.")
                % {"version": version.number}
            )
        changes.append(
            _("Version %(old)s changed to %(new)s.")
            % {"old": application.version.number, "new": version.number}
        )
    if motivation.strip() != application.motivation.strip():
        changes.append(_("Motivation changed."))
    if not changes:
        return None
    with transaction.atomic():
        application.version = version
        application.motivation = motivation
        return apply_transition(application, "edit_draft", by=by, comment=" ".join(changes))


def application_submit(*, application: Application, by, comment: str = "") -> StateLog:
    return apply_transition(application, "submit", by=by, comment=comment)


def application_withdraw(*, application: Application, by, reason: str) -> StateLog:
    """Withdraw an open request; a review round still open closes as withdrawn."""
    with transaction.atomic():
        log = apply_transition(application, "withdraw", by=by, comment=reason)
        application.review_rounds.filter(closed_at__isnull=True).update(
            closed_at=timezone.now(), outcome=RoundOutcome.WITHDRAWN
        )
    return log


def meeting_schedule(
    *,
    application: Application,
    by,
    scheduled_for: datetime,
    location: str,
    agenda: str = "",
) -> StateLog:
    """Schedule (or move) the set-up meeting that precedes the readiness decision (R1.2)."""
    action = (
        "reschedule_meeting"
        if application.state == ApplicationState.MEETING_SCHEDULED
        else "schedule_meeting"
    )
    with transaction.atomic():
        SetupMeeting.objects.update_or_create(
            application=application,
            defaults={
                "scheduled_for": scheduled_for,
                "location": location,
                "agenda": agenda,
                "organiser": by,
            },
        )
        return apply_transition(
            application,
            action,
            by=by,
            comment=texts.meeting_scheduled(scheduled_for, location),
        )


def meeting_record(*, application: Application, by, held_at: datetime, notes: str) -> StateLog:
    """Record that the set-up meeting took place; readiness can be scored after it."""
    with transaction.atomic():
        meeting = SetupMeeting.objects.select_for_update().filter(application=application).first()
        if meeting is None:
            # Before a meeting is scheduled there is none to record: refuse, don't crash.
            raise ActionRefused(unmet_conditions(application, "hold_meeting"))
        meeting.held_at = held_at
        meeting.notes = notes
        meeting.save(update_fields=["held_at", "notes"])
        application.meeting = meeting
        # The notes are the team's working record; the partner's timeline only says it happened.
        return apply_transition(
            application, "hold_meeting", by=by, comment=texts.meeting_held(held_at)
        )


def readiness_scores_save(
    *, application: Application, by, scores: dict[str, tuple[int, str]]
) -> None:
    """Save the analyst's scores (1–5 with a comment) on the four criteria of 1.1 (R1.3)."""
    _require(by, "workflow.run_stage_one", application)
    unknown = set(scores) - set(ReadinessCriterion.values)
    if unknown:
        raise ValidationError(_("Unknown criteria: %s") % ", ".join(sorted(unknown)))
    with transaction.atomic():
        lock_in_states(
            application,
            [ApplicationState.READINESS_REVIEW],
            _("Readiness is scored after the set-up meeting (R1.2)."),
        )
        for criterion, (score, comment) in scores.items():
            ReadinessScore.objects.update_or_create(
                application=application,
                criterion=criterion,
                defaults={
                    "score": score,
                    "comment": comment,
                    "assessed_by": by,
                    "assessed_at": timezone.now(),
                },
            )


def readiness_decide(*, application: Application, by, accept: bool, comment: str) -> StateLog:
    """The analyst's stage-1 outcome: accepted for approval, or declined."""
    return apply_transition(
        application, "accept" if accept else "decline_readiness", by=by, comment=comment
    )


# --- Stage 2: the leaders' decision -------------------------------------------------------


# While the stage-2 facts may be written: prepared after the meeting, weighed before deciding.
FACTS_STATES = (
    ApplicationState.READINESS_REVIEW,
    ApplicationState.AWAITING_APPROVAL,
    ApplicationState.DEFERRED,
)


@dataclass(frozen=True)
class ApprovalFactsInput:
    overlap_note: str
    roadmap_conflict: bool
    roadmap_note: str
    customer_requests: int
    overlapping_solutions: tuple = ()


def approval_facts_save(
    *, application: Application, by, facts: ApprovalFactsInput
) -> ApprovalFacts:
    """Record what the leaders weigh: overlap, roadmap, customer demand (R2.2–R2.4)."""
    _require(by, "workflow.edit_approval_facts", application)
    with transaction.atomic():
        lock_in_states(
            application,
            FACTS_STATES,
            _("The stage-2 facts are recorded between the readiness review and the decision."),
        )
        record, _created = ApprovalFacts.objects.update_or_create(
            application=application,
            defaults={
                "overlap_note": facts.overlap_note,
                "roadmap_conflict": facts.roadmap_conflict,
                "roadmap_note": facts.roadmap_note,
                "customer_requests": facts.customer_requests,
                "updated_by": by,
            },
        )
        record.overlapping_solutions.set(facts.overlapping_solutions)
    application.approval_facts = record
    return record


LEADER_DECISIONS = ("approve", "defer", "decline_approval", "resume")


def leader_decide(
    *,
    application: Application,
    by,
    decision: str,
    comment: str,
    priority: Priority | int | None = None,
) -> StateLog:
    """Approve, defer, decline or take up again a request, with its priority (R2.1, R2.5)."""
    if decision not in LEADER_DECISIONS:
        raise ValueError(decision)
    _require(by, "workflow.decide_application", application)
    with transaction.atomic():
        if priority is not None:
            application.priority = int(priority)
            comment = texts.priority_set(priority, comment)
        return apply_transition(application, decision, by=by, comment=comment)
