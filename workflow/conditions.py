"""Conditions of the request's transitions: plain predicates on the application.

Each carries the message shown when it is not met, so a page can say why an action is
unavailable instead of hiding it silently.
"""

from django.utils.translation import gettext_lazy as _

from dod import conditions as review
from support_audit import conditions as support

from .enums import ApplicationKind, ReadinessCriterion
from .materials import UPDATE_KINDS, missing_kinds


def condition(message, *, path: bool = False):
    """Attach the user-facing message; `path` marks a condition that picks between the
    routes of different kinds of request: when it fails, the action is not offered at all."""

    def wrap(func):
        func.message = message
        func.path = path
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


# --- Stage 3 --------------------------------------------------------------------------------


@condition(_("This is the path of a first certification."), path=True)
def is_initial(application) -> bool:
    return application.kind == ApplicationKind.INITIAL


@condition(_("This is the path of an update or a critical fix."), path=True)
def is_update(application) -> bool:
    return application.kind in UPDATE_KINDS


@condition(_("Only a certified solution's new version opens an update (R3.2)."))
def solution_is_certified(application) -> bool:
    certification = getattr(application.solution, "certification", None)
    return certification is not None and certification.badge_on


@condition(_("Every required material must be provided first (R3.3–R3.5)."))
def required_materials_present(application) -> bool:
    # Imported here: the selectors read the models, which load this module.
    from .selectors import latest_materials  # noqa: PLC0415

    return not missing_kinds(application, latest_materials(application))


@condition(_("Every open finding must be answered before resubmitting."))
def findings_answered(application) -> bool:
    return review.findings_answered(application)


@condition(_("Confirm backward compatibility with the previous version first (R6.2)."))
def compatibility_confirmed(application) -> bool:
    return application.kind not in UPDATE_KINDS or application.compatibility_confirmed


@condition(_("The reviewer must verify backward compatibility first (R6.2)."))
def compatibility_verified(application) -> bool:
    return application.kind not in UPDATE_KINDS or application.compatibility_verified


@condition(_("Write at least one finding or recommendation for the partner first (R3.8)."))
def round_has_findings(application) -> bool:
    return review.round_has_findings(application)


@condition(_("Every DoD criterion must be checked and passed in this round (R3.6, R3.7)."))
def all_criteria_passed(application) -> bool:
    return review.all_criteria_passed(application)


@condition(_("Blocker and major findings must be resolved first."))
def no_blocking_findings(application) -> bool:
    return review.no_blocking_findings(application)


# --- Stage 4 --------------------------------------------------------------------------------


@condition(_("Declare support standards that meet regulation 4.1–4.2 first."))
def support_declared(application) -> bool:
    return support.support_declared(application)


@condition(_("Record a support audit with its nonconformities and an agreed plan first (R4.7)."))
def nonconformities_with_plan(application) -> bool:
    return support.nonconformities_with_plan(application)


@condition(_("Every item of the remediation plan must be done first."))
def remediation_done(application) -> bool:
    return support.remediation_done(application)


@condition(_("The latest support audit must have passed, with no nonconformity open (R4.7)."))
def support_audit_passed(application) -> bool:
    return support.support_audit_passed(application)
