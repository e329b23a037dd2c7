"""Who may read the programme's insight pages (django-rules)."""

import rules

from catalogue.rules import sees_every_record

# The rules' traceability page: the team and superusers (it names the code), no partner.
rules.add_perm("insight.view_traceability", sees_every_record)
