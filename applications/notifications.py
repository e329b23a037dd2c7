"""Who is told about a step of a request, and what they read."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role
from accounts.selectors import reachable
from support_audit.selectors import latest_audit

from .enums import ApplicationState as S
from .enums import Transition as T


@dataclass(frozen=True)
class Route:
    """Who is told about a step: the partner's members, the team roles that must act next, and
    the message they read (`applications/email/<template>_subject.txt` and `_body.txt`)."""

    partner: bool = True
    team: tuple[Role, ...] = ()
    template: str = "transition"


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
    # (support_audit.tasks.notify_certification_event): the step adds nothing to it.
    T.CERTIFY: Route(partner=False),
    T.DECLINE_SUPPORT: Route(),
    T.WITHDRAW: Route(team=(Role.ANALYST,)),
}


def recipients_for(application, transition: str) -> dict[str, str]:
    """E-mail address → language of the people concerned by this step."""
    route = ROUTES[T(transition)]
    partner_id = application.solution.partner_id if route.partner else None
    return reachable(partner_id=partner_id, roles=route.team)


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
        subject = render_to_string(f"applications/email/{template}_subject.txt", context)
        body = render_to_string(f"applications/email/{template}_body.txt", context)
    return " ".join(subject.split()), body
