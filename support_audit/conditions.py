"""What stage 4 tells the request's transitions: plain predicates on the request.

The workflow attaches the user-facing messages; these only answer from the stage's own
records (declaration, audits, plans), given any object shaped like a request.
"""

# The selectors module, not its names: the workflow's models load this module while the
# catalogue models the selectors use are still being set up.
from . import selectors
from .enums import AuditOutcome
from .standards import declaration_problems


def support_declared(application) -> bool:
    declaration = getattr(application, "support_declaration", None)
    return declaration is not None and not declaration_problems(declaration)


def nonconformities_with_plan(application) -> bool:
    audit = selectors.latest_audit(application)
    return (
        audit is not None
        and audit.nonconformities.exists()
        and audit.remediation_plans.filter(closed_at__isnull=True).exists()
    )


def remediation_done(application) -> bool:
    return not selectors.open_plan_items(application).exists()


def support_audit_passed(application) -> bool:
    audit = selectors.latest_audit(application)
    return (
        audit is not None
        and audit.outcome == AuditOutcome.PASSED
        and not selectors.open_nonconformities(application).exists()
    )
