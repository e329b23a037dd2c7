"""Who may do what with partners' records: one set of predicates for views, transitions,
admin and API (django-rules)."""

import rules

from accounts.rules import (
    is_analyst,
    is_auditor,
    is_leader,
    is_marketplace_team,
    is_partner,
    is_rnd_expert,
)
from catalogue.rules import can_view, is_own_partner_record

rules.add_perm("catalogue.view_solution", can_view)
rules.add_perm("catalogue.add_solution", is_partner)
rules.add_perm("catalogue.change_solution", is_own_partner_record)
rules.add_perm("catalogue.add_solutionversion", is_own_partner_record)

rules.add_perm("workflow.view_application", can_view)
rules.add_perm("workflow.add_application", is_own_partner_record)
rules.add_perm("workflow.submit_application", is_own_partner_record)
rules.add_perm("workflow.withdraw_application", is_own_partner_record)
rules.add_perm("workflow.view_internal_notes", is_marketplace_team)
rules.add_perm("workflow.view_queue", is_marketplace_team)
rules.add_perm("workflow.run_stage_one", is_analyst)
rules.add_perm("workflow.edit_approval_facts", is_analyst | is_leader)
rules.add_perm("workflow.decide_application", is_leader)
# Stage 3: analysts run the review; R&D experts check the integration criteria (DoD 9–10).
rules.add_perm("workflow.run_quality_review", is_analyst)
rules.add_perm("workflow.check_criteria", is_analyst | is_rnd_expert)
rules.add_perm("workflow.check_integration", is_rnd_expert)
rules.add_perm("workflow.upload_material", is_own_partner_record)
rules.add_perm("workflow.view_material", can_view)
# Stage 4 and the badge: analysts (and auditors) audit support; analysts revoke or restore.
rules.add_perm("workflow.run_support_audit", is_analyst | is_auditor)
rules.add_perm("catalogue.manage_badge", is_analyst)
# Held by no person: only the scheduled KPI job (catalogue.badge.SYSTEM) enforces targets.
rules.add_perm("catalogue.enforce_kpis", rules.always_deny)
