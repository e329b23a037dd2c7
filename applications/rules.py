"""Who may do what with partners' records: one set of predicates for views, transitions,
admin and API (django-rules)."""

import rules
from django.core.exceptions import PermissionDenied

from accounts.rules import (
    is_analyst,
    is_auditor,
    is_leader,
    is_marketplace_team,
    is_partner,
    is_rnd_expert,
)


def partner_id_of(obj) -> int | None:
    """The partner organisation that owns a record of this app."""
    if hasattr(obj, "partner_id"):
        return obj.partner_id
    if hasattr(obj, "solution"):
        return obj.solution.partner_id
    return None


@rules.predicate
def is_own(user, obj) -> bool:
    return obj is not None and user.partner_id == partner_id_of(obj)


is_own_partner_record = is_partner & is_own
can_view = is_marketplace_team | is_own_partner_record

rules.add_perm("applications.view_solution", can_view)
rules.add_perm("applications.add_solution", is_partner)
rules.add_perm("applications.change_solution", is_own_partner_record)
rules.add_perm("applications.add_solutionversion", is_own_partner_record)

rules.add_perm("applications.view_application", can_view)
rules.add_perm("applications.add_application", is_own_partner_record)
rules.add_perm("applications.submit_application", is_own_partner_record)
rules.add_perm("applications.withdraw_application", is_own_partner_record)
rules.add_perm("applications.view_internal_notes", is_marketplace_team)
rules.add_perm("applications.view_queue", is_marketplace_team)
rules.add_perm("applications.run_stage_one", is_analyst)
rules.add_perm("applications.edit_approval_facts", is_analyst | is_leader)
rules.add_perm("applications.decide_application", is_leader)
# Stage 3: analysts run the review; R&D experts check the integration criteria (DoD 9–10).
rules.add_perm("applications.run_quality_review", is_analyst)
rules.add_perm("applications.check_criteria", is_analyst | is_rnd_expert)
rules.add_perm("applications.check_integration", is_rnd_expert)
rules.add_perm("applications.upload_material", is_own_partner_record)
rules.add_perm("applications.view_material", can_view)
# Stage 4 and the badge: analysts (and auditors) audit support; analysts revoke or restore.
rules.add_perm("applications.run_support_audit", is_analyst | is_auditor)
rules.add_perm("applications.manage_badge", is_analyst)
# Held by no person: only the scheduled KPI job (applications.badge.SYSTEM) enforces targets.
rules.add_perm("applications.enforce_kpis", rules.always_deny)


def require(user, permission: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` holds `permission` (on `obj`)."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied


def can(permission: str):
    """A django-fsm `permission=` callable that asks the same rule as every view."""

    def check(instance, user) -> bool:
        return user.has_perm(permission, instance)

    check.__name__ = f"can_{permission.split('.')[-1]}"
    return check
