"""Who reads the programme overview: the analysts and leaders who run the programme, the
auditors who check it, and superusers (Django grants them every permission). Partners, R&D
experts and the public do not."""

import rules

from accounts.rules import is_analyst, is_auditor, is_leader, is_superuser

rules.add_perm("insight.view_overview", is_analyst | is_leader | is_auditor | is_superuser)
