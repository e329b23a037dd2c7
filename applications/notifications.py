"""Who is told about a step of a request, and what they read."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role

from .enums import ApplicationState as S

# Transitions the partner's members hear about: every step that concerns them.
PARTNER_HEARS = {
    "submit",
    "schedule_meeting",
    "reschedule_meeting",
    "hold_meeting",
    "accept",
    "decline_readiness",
    "approve",
    "defer",
    "resume",
    "decline_approval",
    "withdraw",
    "open_update",
    "submit_materials",
    "start_review",
    "request_changes",
    "pass_quality",
    "pass_update",
    "decline_quality",
}
# The Marketplace team hears when it must act.
TEAM_HEARS = {
    "submit": (Role.ANALYST,),
    "withdraw": (Role.ANALYST,),
    "accept": (Role.LEADER,),
    "submit_materials": (Role.ANALYST, Role.RND_EXPERT),
}


def recipients_for(application, transition: str) -> dict[str, str]:
    """E-mail address → language of the people concerned by this step."""
    User = get_user_model()
    active = User.objects.filter(is_active=True).exclude(email="")
    people = active.none()
    if transition in PARTNER_HEARS:
        people |= active.filter(partner_id=application.solution.partner_id)
    if roles := TEAM_HEARS.get(transition):
        people |= active.filter(groups__name__in=[role.value for role in roles])
    return dict(people.order_by("email").values_list("email", "language").distinct())


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
        subject = render_to_string("applications/email/transition_subject.txt", context)
        body = render_to_string("applications/email/transition_body.txt", context)
    return " ".join(subject.split()), body
