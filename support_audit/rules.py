"""Who may act in the stage-4 support audit and the regular audits (django-rules).

Asked with the request (stage 4) or with the certified solution (a regular audit).
"""

import rules

from accounts.rules import is_analyst, is_auditor, is_marketplace_team
from catalogue.rules import is_own_partner_record

auditor = is_analyst | is_auditor

# Analysts (and auditors) audit the support: the stage-4 audit and the regular audits.
rules.add_perm("support_audit.run_support_audit", auditor)
rules.add_perm("support_audit.agree_plan", auditor)
# The partner declares its support standards.
rules.add_perm("support_audit.declare_support", is_own_partner_record)
# A remediation item is marked done by the partner or by the auditing team.
rules.add_perm("support_audit.mark_item_done", is_own_partner_record | auditor)
# The regular audits and remediation actions past due, for the team.
rules.add_perm("support_audit.view_audits_due", is_marketplace_team)
