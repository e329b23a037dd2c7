"""What stage 3 tells the request's transitions: plain predicates on the request.

The workflow attaches the user-facing messages; these only answer from the review's own
records (rounds, checks, findings), given any object shaped like a request.
"""

from .enums import BLOCKING_SEVERITIES, FindingStatus
from .selectors import criteria_outcome, current_round, unanswered_findings


def findings_answered(application) -> bool:
    return not unanswered_findings(application).exists()


def round_has_findings(application) -> bool:
    # What goes back to the partner: this round's findings, or earlier ones still open.
    current = current_round(application)
    return current is not None and (
        application.findings.filter(round=current).exists()
        or application.findings.filter(status=FindingStatus.OPEN).exists()
    )


def all_criteria_passed(application) -> bool:
    return criteria_outcome(application).all_passed


def no_blocking_findings(application) -> bool:
    return not application.findings.filter(
        status=FindingStatus.OPEN, severity__in=BLOCKING_SEVERITIES
    ).exists()
