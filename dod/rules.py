"""Who may act in the stage-3 quality review (django-rules)."""

import rules

from accounts.rules import is_analyst, is_rnd_expert
from catalogue.rules import is_own_partner_record

# Analysts run the review; R&D experts check the integration criteria (DoD 9–10).
rules.add_perm("dod.run_quality_review", is_analyst)
rules.add_perm("dod.check_criteria", is_analyst | is_rnd_expert)
rules.add_perm("dod.check_integration", is_rnd_expert)
# The request's partner answers the review's findings.
rules.add_perm("dod.answer_finding", is_own_partner_record)
