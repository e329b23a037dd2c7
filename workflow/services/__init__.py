"""Every write a user or a job makes on partners, solutions and certification requests.

Views, the admin, the API and tasks call these functions and nothing else. Each takes the
acting user as `by`, checks the rule that guards the action, writes inside one transaction
and queues its side effects (e-mail) to run after commit.
"""

from .assignment import application_assign, applications_assign, assignment_preview
from .materials import (
    compatibility_confirm,
    material_carry_over,
    material_upload,
    materials_submit,
    update_request_open,
    update_request_open_with_version,
)
from .requests import (
    FACTS_STATES,
    LEADER_DECISIONS,
    ActionRefused,
    ApprovalFactsInput,
    actions_for,
    application_create,
    application_edit,
    application_submit,
    application_withdraw,
    apply_transition,
    approval_facts_save,
    leader_decide,
    meeting_record,
    meeting_schedule,
    readiness_decide,
    readiness_scores_save,
    reasons_of,
    solution_register,
    solution_update,
    unmet_conditions,
    version_add,
)

__all__ = [
    "FACTS_STATES",
    "LEADER_DECISIONS",
    "ActionRefused",
    "ApprovalFactsInput",
    "actions_for",
    "application_assign",
    "application_create",
    "application_edit",
    "application_submit",
    "application_withdraw",
    "applications_assign",
    "apply_transition",
    "approval_facts_save",
    "assignment_preview",
    "compatibility_confirm",
    "leader_decide",
    "material_carry_over",
    "material_upload",
    "materials_submit",
    "meeting_record",
    "meeting_schedule",
    "readiness_decide",
    "readiness_scores_save",
    "reasons_of",
    "solution_register",
    "solution_update",
    "unmet_conditions",
    "update_request_open",
    "update_request_open_with_version",
    "version_add",
]
