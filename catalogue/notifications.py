from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.enums import NotificationKind, Role
from accounts.selectors import reachable

from .models import CertificationEvent

Badge = CertificationEvent.Action


@dataclass(frozen=True)
class Route:
    """Who is told about a step: the partner's members, the team roles that must act next, the
    message they read (`workflow/email/<template>_subject.txt` and `_body.txt`) and its kind,
    which each recipient's choice applies to (accounts.notifications; tests fail when a route
    has none)."""

    partner: bool = True
    team: tuple[Role, ...] = ()
    template: str = "transition"
    kind: NotificationKind | None = None

    @property
    def reaches_anyone(self) -> bool:
        return self.partner or bool(self.team)


K = NotificationKind


# Every change of a badge, and who hears of it (tests fail when a change has no entry). The
# partner and the analysts hear when the badge goes on or comes off.
BADGE_ROUTES: dict[Badge, Route] = {
    Badge.GRANTED: Route(team=(Role.ANALYST,), template="badge", kind=K.BADGE_GRANTED),
    # A passed update moves the certified version: its step's e-mail (ROUTES[T.PASS_UPDATE])
    # tells the partner already.
    Badge.VERSION_UPDATED: Route(partner=False, kind=K.BADGE_GRANTED),
    # The KPI job's mark: the badge stays on, a remediation plan in force covers the failed
    # KPI; nobody is e-mailed.
    Badge.AT_RISK: Route(partner=False, kind=K.BADGE_AT_RISK),
    # Always sent at once, whatever the recipients chose (MANDATORY_NOTIFICATIONS, R5.8).
    Badge.REVOKED: Route(team=(Role.ANALYST,), template="badge", kind=K.BADGE_REVOKED),
    Badge.RESTORED: Route(team=(Role.ANALYST,), template="badge", kind=K.BADGE_GRANTED),
}


def reachable_for(route: Route, solution) -> dict[str, str]:
    if not route.reaches_anyone:
        return {}
    return reachable(partner_id=solution.partner_id if route.partner else None, roles=route.team)


def badge_recipients(event) -> dict[str, str]:
    """E-mail address → language of the people told of this change of a badge."""
    return reachable_for(BADGE_ROUTES[Badge(event.action)], event.certification.solution)


def render_pair(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"workflow/email/{template}_subject.txt", context)
    body = render_to_string(f"workflow/email/{template}_body.txt", context)
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
        return render_pair(BADGE_ROUTES[Badge(event.action)].template, context)
