"""Who is told about a step of a request or a change of a badge, and what they read.

Two tables, one style: `ROUTES` for each transition of a request (`Transition`), and
`BADGE_ROUTES` for each change of a badge (`CertificationEvent.Action`, one per transition of
`catalogue.badge`). Each entry names the people told (the partner's members, which team
roles) and the message they read (`workflow/email/<template>_subject.txt` and
`_body.txt`). Tests fail when a transition of either has no entry.
"""

from django.conf import settings
from django.utils import translation

from accounts.enums import NotificationKind, Role
from catalogue.notifications import Route, reachable_for, render_pair
from support_audit.selectors import latest_audit

from .enums import ApplicationState as S
from .enums import AssignmentRole
from .enums import Transition as T

# Every step of a request, and who hears of it (tests fail when a step has no entry). The
# partner hears of every step of its own request; the team hears when it must act.
ROUTES: dict[T, Route] = {
    T.SUBMIT: Route(team=(Role.ANALYST,)),
    # The partner's own edit of a draft nobody else sees yet: nobody is told.
    T.EDIT_DRAFT: Route(partner=False),
    T.SCHEDULE_MEETING: Route(),
    T.RESCHEDULE_MEETING: Route(),
    T.HOLD_MEETING: Route(),
    T.ACCEPT: Route(team=(Role.LEADER,)),
    T.DECLINE_READINESS: Route(),
    T.APPROVE: Route(),
    T.DEFER: Route(),
    T.RESUME: Route(),
    T.DECLINE_APPROVAL: Route(),
    T.OPEN_UPDATE: Route(),
    T.SUBMIT_MATERIALS: Route(team=(Role.ANALYST, Role.RND_EXPERT)),
    T.START_REVIEW: Route(),
    T.REQUEST_CHANGES: Route(),
    T.PASS_QUALITY: Route(),
    T.PASS_UPDATE: Route(),
    T.DECLINE_QUALITY: Route(),
    # Stage 4: the declaration and the re-audit request wait for the analysts and auditors;
    # the partner receives the nonconformity report with the plan agreed for it.
    T.SUBMIT_SUPPORT: Route(team=(Role.ANALYST, Role.AUDITOR)),
    T.REPORT_NONCONFORMITIES: Route(template="nonconformity_report"),
    T.REQUEST_REAUDIT: Route(team=(Role.ANALYST, Role.AUDITOR)),
    T.PASS_SUPPORT: Route(),
    # The badge's own "granted" message reaches the partner and the analysts
    # (BADGE_ROUTES[Badge.GRANTED]): the step adds nothing to it.
    T.CERTIFY: Route(partner=False),
    T.DECLINE_SUPPORT: Route(),
    T.WITHDRAW: Route(team=(Role.ANALYST,)),
}

K = NotificationKind

# The kind of each step's message, which each recipient's choice applies to
# (accounts.notifications); a route may name its own (`Route.kind`). Tests fail when a step
# has none. The nonconformity report is always sent at once (MANDATORY_NOTIFICATIONS, R4.7).
KINDS: dict[T, NotificationKind] = {
    T.EDIT_DRAFT: K.REQUEST_PROGRESS,  # tells nobody; a kind all the same
    T.SUBMIT: K.REQUEST_PROGRESS,
    T.SCHEDULE_MEETING: K.REQUEST_PROGRESS,
    T.RESCHEDULE_MEETING: K.REQUEST_PROGRESS,
    T.HOLD_MEETING: K.REQUEST_PROGRESS,
    T.ACCEPT: K.REQUEST_DECISION,
    T.DECLINE_READINESS: K.REQUEST_DECISION,
    T.APPROVE: K.REQUEST_DECISION,
    T.DEFER: K.REQUEST_DECISION,
    T.RESUME: K.REQUEST_PROGRESS,
    T.DECLINE_APPROVAL: K.REQUEST_DECISION,
    T.OPEN_UPDATE: K.REQUEST_PROGRESS,
    T.SUBMIT_MATERIALS: K.REQUEST_PROGRESS,
    T.START_REVIEW: K.REQUEST_PROGRESS,
    T.REQUEST_CHANGES: K.REVIEW_CHANGES,
    T.PASS_QUALITY: K.REQUEST_DECISION,
    T.PASS_UPDATE: K.REQUEST_DECISION,
    T.DECLINE_QUALITY: K.REQUEST_DECISION,
    T.SUBMIT_SUPPORT: K.REQUEST_PROGRESS,
    T.REPORT_NONCONFORMITIES: K.NONCONFORMITY_REPORT,
    T.REQUEST_REAUDIT: K.REQUEST_PROGRESS,
    T.PASS_SUPPORT: K.REQUEST_DECISION,
    T.CERTIFY: K.REQUEST_DECISION,
    T.DECLINE_SUPPORT: K.REQUEST_DECISION,
    T.WITHDRAW: K.REQUEST_PROGRESS,
}


def kind_of(transition: str) -> NotificationKind | None:
    """The kind of a step's message: its route's own, or the one `KINDS` gives it."""
    return ROUTES[T(transition)].kind or KINDS.get(T(transition))


def recipients_for(application, transition: str) -> dict[str, str]:
    """E-mail address → language of the people concerned by this step."""
    return reachable_for(ROUTES[T(transition)], application.solution)


def render_message(application, log, language: str) -> tuple[str, str]:
    """Subject and body for one recorded step, in the recipient's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "application": application,
            "log": log,
            "state": S(log.state).label,
            "source_state": S(log.source_state).label if log.source_state else "",
            "url": settings.SITE_URL + application.get_absolute_url(),
        }
        template = ROUTES[T(log.transition)].template
        if template == "nonconformity_report":
            context["audit"] = latest_audit(application)
        return render_pair(template, context)


def render_assignment(event) -> tuple[str, str]:
    """Subject and body telling a person a request was assigned to them, in their language."""
    application = event.application
    with translation.override(event.assignee.language or settings.LANGUAGE_CODE):
        context = {
            "application": application,
            "event": event,
            "role": AssignmentRole(event.role).noun,
            "url": settings.SITE_URL + application.get_absolute_url(),
        }
        return render_pair("assignment", context)
