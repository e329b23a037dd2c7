"""Conditions of the request's transitions: plain predicates on the application.

Each carries the message shown when it is not met, so a page can say why an action is
unavailable instead of hiding it silently.
"""

from django.utils.translation import gettext_lazy as _

from .enums import ReadinessCriterion


def condition(message):
    def wrap(func):
        func.message = message
        return func

    return wrap


@condition(_("The solution must be published on the Marketplace (R1.1)."))
def solution_is_published(application) -> bool:
    return application.solution.is_published


@condition(_("The set-up meeting must be held first (R1.2)."))
def meeting_was_held(application) -> bool:
    meeting = getattr(application, "meeting", None)
    return meeting is not None and meeting.held_at is not None


@condition(_("All four readiness criteria must be scored first (R1.3)."))
def readiness_is_assessed(application) -> bool:
    scored = {score.criterion for score in application.readiness_scores.all()}
    return scored >= set(ReadinessCriterion.values)


@condition(
    _("R&D plans similar functionality within a year: the request can only be declined (R2.3).")
)
def no_roadmap_conflict(application) -> bool:
    facts = getattr(application, "approval_facts", None)
    return facts is None or not facts.roadmap_conflict


@condition(
    _(
        "The stage-2 facts (portfolio overlap, roadmap, customer requests) must be "
        "recorded first (R2.2, R2.4)."
    )
)
def approval_facts_complete(application) -> bool:
    facts = getattr(application, "approval_facts", None)
    return facts is not None and bool(facts.overlap_note.strip())


@condition(_("A priority must be set first (R2.5)."))
def priority_is_set(application) -> bool:
    return application.priority is not None
