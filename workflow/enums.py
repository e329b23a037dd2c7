"""States, stages and choices of the programme, kept apart from the models to avoid cycles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationKind(models.TextChoices):
    INITIAL = "initial", _("First certification")
    UPDATE = "update", _("Update of a certified solution")
    CRITICAL_FIX = "critical_fix", _("Critical fix")


class Priority(models.IntegerChoices):
    """Set by leaders (R2.5): broad needs not covered by the base products come first."""

    HIGH = 1, _("High — broad need not covered by the base products")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low — narrow need")


class Stage(models.IntegerChoices):
    PARTNER_REQUEST = 1, _("Partner request")
    APPROVAL = 2, _("Approval")
    QUALITY = 3, _("Quality certification")
    SUPPORT = 4, _("Support certification")
    REGULAR_AUDIT = 5, _("Regular audit")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MEETING_SCHEDULED = "meeting_scheduled", _("Set-up meeting scheduled")
    READINESS_REVIEW = "readiness_review", _("Readiness assessment")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting leaders' decision")
    DEFERRED = "deferred", _("Deferred")
    AWAITING_MATERIALS = "awaiting_materials", _("Approved, awaiting materials")
    SUBMITTED_FOR_REVIEW = "submitted_for_review", _("Materials submitted for review")
    IN_REVIEW = "in_review", _("In quality review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    QUALITY_PASSED = "quality_passed", _("Quality certification passed")
    SUPPORT_REVIEW = "support_review", _("Support standards under audit")
    REMEDIATION = "remediation", _("Remediating support nonconformities")
    SUPPORT_PASSED = "support_passed", _("Support certification passed")
    CERTIFIED = "certified", _("Certified")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ApplicationState

# The stage each state belongs to; a terminal state keeps the stage it was reached in.
STAGE_OF_STATE = {
    S.DRAFT: Stage.PARTNER_REQUEST,
    S.SUBMITTED: Stage.PARTNER_REQUEST,
    S.MEETING_SCHEDULED: Stage.PARTNER_REQUEST,
    S.READINESS_REVIEW: Stage.PARTNER_REQUEST,
    S.AWAITING_APPROVAL: Stage.APPROVAL,
    S.DEFERRED: Stage.APPROVAL,
    S.AWAITING_MATERIALS: Stage.QUALITY,
    S.SUBMITTED_FOR_REVIEW: Stage.QUALITY,
    S.IN_REVIEW: Stage.QUALITY,
    S.CHANGES_REQUESTED: Stage.QUALITY,
    S.QUALITY_PASSED: Stage.SUPPORT,
    S.SUPPORT_REVIEW: Stage.SUPPORT,
    S.REMEDIATION: Stage.SUPPORT,
    S.SUPPORT_PASSED: Stage.SUPPORT,
    S.CERTIFIED: Stage.REGULAR_AUDIT,
}

# A request ends declined, withdrawn, or certified (the certification then lives on).
TERMINAL_STATES = (S.DECLINED, S.WITHDRAWN, S.CERTIFIED)
ACTIVE_STATES = tuple(state for state in S if state not in TERMINAL_STATES)
# States in which the Marketplace team has something to do (the analyst queue).
TEAM_QUEUE_STATES = (
    S.SUBMITTED,
    S.MEETING_SCHEDULED,
    S.READINESS_REVIEW,
    S.SUBMITTED_FOR_REVIEW,
    S.IN_REVIEW,
    S.SUPPORT_REVIEW,
    S.SUPPORT_PASSED,
)
LEADER_QUEUE_STATES = (S.AWAITING_APPROVAL, S.DEFERRED)
# States in which the partner is the one to act.
PARTNER_ACTION_STATES = (
    S.DRAFT,
    S.AWAITING_MATERIALS,
    S.CHANGES_REQUESTED,
    S.QUALITY_PASSED,
    S.REMEDIATION,
)
# The partner's support declaration can be edited until it goes to the audit.
DECLARATION_OPEN_STATES = (S.QUALITY_PASSED, S.REMEDIATION)
# The states of stage 3, where materials are uploaded and reviewed.
QUALITY_STATES = (S.AWAITING_MATERIALS, S.SUBMITTED_FOR_REVIEW, S.IN_REVIEW, S.CHANGES_REQUESTED)
# The partner may add material revisions while the reviewer is not looking at them.
MATERIALS_OPEN_STATES = (S.AWAITING_MATERIALS, S.CHANGES_REQUESTED)


class ReadinessCriterion(models.TextChoices):
    """The four criteria of regulation 1.1 (R1.3)."""

    SUPPORT_RESOURCES = "support_resources", _("Resources for supporting the solution")
    DEVELOPMENT_PLANS = "development_plans", _("Plans to develop the functionality")
    QUALITY_INVESTMENT = "quality_investment", _("Willingness to invest in quality")
    PROCESS_MATURITY = "process_maturity", _("Maturity of the development processes")


class MaterialKind(models.TextChoices):
    """The ten materials of regulation 3.1, in its order."""

    PACKAGES = "packages", _("1. Solution packages")
    SETUP_GUIDE = "setup_guide", _("2. Set-up and installation instructions")
    USER_GUIDE = "user_guide", _("3. User guide")
    TEST_CASES = "test_cases", _("4. Test cases and test report")
    DEMO = "demo", _("5. Demo data and demo stand")
    EXTERNAL_SERVICES = "external_services", _("6. External services")
    SALES = "sales", _("7. Sales materials")
    VIDEO = "video", _("8. Video")
    PRODUCT_TEST = "product_test", _("9. Product test")
    WHATS_NEW = "whats_new", _("10. What's new")


class Requirement(models.TextChoices):
    ALWAYS = "always", _("Required")
    IF_EXTERNAL = "if_external", _("Required when the solution uses external services")
    IF_UPDATE = "if_update", _("Required for an update")


class Transition(models.TextChoices):
    """The steps of a request: the names of the state machine's transitions. Every one has an
    entry in `workflow.notifications.ROUTES` saying who is told."""

    SUBMIT = "submit", _("Submit the request")
    EDIT_DRAFT = "edit_draft", _("Edit the draft request")
    SCHEDULE_MEETING = "schedule_meeting", _("Schedule the set-up meeting")
    RESCHEDULE_MEETING = "reschedule_meeting", _("Move the set-up meeting")
    HOLD_MEETING = "hold_meeting", _("Record the set-up meeting")
    ACCEPT = "accept", _("Accept")
    DECLINE_READINESS = "decline_readiness", _("Decline after the readiness assessment")
    APPROVE = "approve", _("Approve")
    DEFER = "defer", _("Defer")
    RESUME = "resume", _("Take up again")
    DECLINE_APPROVAL = "decline_approval", _("Decline at approval")
    OPEN_UPDATE = "open_update", _("Open an update")
    SUBMIT_MATERIALS = "submit_materials", _("Submit the materials for review")
    START_REVIEW = "start_review", _("Start the quality review")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    PASS_QUALITY = "pass_quality", _("Pass quality certification")
    PASS_UPDATE = "pass_update", _("Pass the update")
    DECLINE_QUALITY = "decline_quality", _("Decline at quality certification")
    SUBMIT_SUPPORT = "submit_support", _("Submit the support standards")
    REPORT_NONCONFORMITIES = "report_nonconformities", _("Send the nonconformity report")
    REQUEST_REAUDIT = "request_reaudit", _("Ask for the re-audit")
    PASS_SUPPORT = "pass_support", _("Pass support certification")
    CERTIFY = "certify", _("Certify")
    DECLINE_SUPPORT = "decline_support", _("Decline at support certification")
    WITHDRAW = "withdraw", _("Withdraw")


# A request has an analyst and, where DoD 9–10 apply, an R&D expert, from its submission while
# the programme still works on it (a certified one lives on in the regular audit).
ASSIGNABLE_STATES = tuple(state for state in S if state not in (S.DRAFT, S.DECLINED, S.WITHDRAWN))


class AssignmentRole(models.TextChoices):
    """Whom a request is assigned to: its analyst, and its R&D expert for DoD 9–10 (R3.7)."""

    ANALYST = "analyst", _("Analyst")
    RND_EXPERT = "rnd_expert", _("R&D expert")

    @property
    def noun(self) -> str:
        """The role inside a sentence ("assigned as analyst", "as R&D expert")."""
        return str({"analyst": _("analyst"), "rnd_expert": _("R&D expert")}[self.value])
