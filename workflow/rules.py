"""Who may act on a request (django-rules).

The actions on one request or one material are attached to their models with
`Meta.rules_permissions`: `workflow.view_application`, `workflow.add_application`,
`workflow.submit_application`, `workflow.withdraw_application`,
`workflow.decide_application`, `workflow.view_material`, `workflow.upload_material`.
The others are registered here. A stage's own actions live in the stage's rules.py
(`dod.run_quality_review`, `support_audit.run_support_audit`).
"""

import rules

from accounts.rules import is_analyst, is_leader, is_marketplace_team

rules.add_perm("workflow.view_internal_notes", is_marketplace_team)
rules.add_perm("workflow.view_queue", is_marketplace_team)
rules.add_perm("workflow.run_stage_one", is_analyst)
rules.add_perm("workflow.edit_approval_facts", is_analyst | is_leader)
# The leaders' page of the decisions waiting for them (stage 2, R2.1).
rules.add_perm("workflow.view_decisions", is_leader)
# Analysts share the queue out among themselves; leaders may too.
rules.add_perm("workflow.assign_application", is_analyst | is_leader)
