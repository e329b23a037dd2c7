"""Who is told about a step of a request or a change of a badge, and what they read.

Two tables, one style: `ROUTES` for each transition of a request (`Transition`), and
`BADGE_ROUTES` for each change of a badge (`CertificationEvent.Action`, one per transition of
`applications.badge`). Each entry names the people told (the partner's members, which team
roles) and the message they read (`applications/email/<template>_subject.txt` and
`_body.txt`). Tests fail when a transition of either has no entry.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.selectors import reachable
from support_audit.selectors import latest_audit

from .enums import ApplicationState as S
from .enums import Transition as T
from .models import CertificationEvent

Badge = CertificationEvent.Action


@dataclass(frozen=True)
class Route:
    """Who is told about a step: the partner's members, the team roles that must act next, and
    the message they read (`applications/email/<template>_subject.txt` and `_body.txt`)."""

    partner: bool = True
    team: tuple[Role, ...] = ()
    template: str = "transition"

    @property
    def reaches_anyone(self) -> bool:
        return self.partner or bool(self.team)


# Nobody is told.
SILENT = Route(partner=False)


# Every step of a request, and who hears of it (tests fail when a step has no entry). The
# partner hears of every step of its own request; the team hears when it must act.
ROUTES: dict[T, Route] = {
    T.SUBMIT: Route(team=(Role.ANALYST,)),
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


# Every change of a badge, and who hears of it (tests fail when a change has no entry). The
# partner and the analysts hear when the badge goes on or comes off.
BADGE_ROUTES: dict[Badge, Route] = {
    Badge.GRANTED: Route(team=(Role.ANALYST,), template="badge"),
    # A passed update moves the certified version: its step's e-mail (ROUTES[T.PASS_UPDATE])
    # tells the partner already.
    Badge.VERSION_UPDATED: SILENT,
    # The KPI job's mark: the badge stays on, a remediation plan in force covers the failed
    # KPI; nobody is e-mailed.
    Badge.AT_RISK: SILENT,
    Badge.REVOKED: Route(team=(Role.ANALYST,), template="badge"),
    Badge.RESTORED: Route(team=(Role.ANALYST,), template="badge"),
}


def _reachable(route: Route, solution) -> dict[str, str]:
    if not route.reaches_anyone:
        return {}
    return reachable(partner_id=solution.partner_id if route.partner else None, roles=route.team)


def recipients_for(application, transition: str) -> dict[str, str]:
    """E-mail address → language of the people concerned by this step."""
    return _reachable(ROUTES[T(transition)], application.solution)


def badge_recipients(event) -> dict[str, str]:
    """E-mail address → language of the people told of this change of a badge."""
    return _reachable(BADGE_ROUTES[Badge(event.action)], event.certification.solution)


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"applications/email/{template}_subject.txt", context)
    body = render_to_string(f"applications/email/{template}_body.txt", context)
    return " ".join(subject.split()), body


def render_badge_message(event, language: str) -> tuple[str, str]:
    """Subject and body for one change of a badge, in the recipient's language."""
    solution = event.certification.solution
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "event": event,
            "solution": solution,
            "url": settings.SITE_URL + reverse("certificate", args=[solution.slug]),
        }
        return _render(BADGE_ROUTES[Badge(event.action)].template, context)


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
        return _render(template, context)
