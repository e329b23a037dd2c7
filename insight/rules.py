"""Who may read the programme's insight pages (django-rules)."""

import rules

from accounts.rules import is_analyst, is_auditor, is_leader, is_superuser
from catalogue.rules import sees_every_record

# The programme overview: the analysts and leaders who run the programme, the auditors who
# check it, and superusers. Partners, R&D experts, sales and the public do not.
rules.add_perm("insight.view_overview", is_analyst | is_leader | is_auditor | is_superuser)
# The rules' traceability page: the team and superusers (it names the code), no partner.
rules.add_perm("insight.view_traceability", sees_every_record)
