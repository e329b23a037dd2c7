"""Who may see and feed a solution's support KPIs (django-rules). Asked with the solution."""

import rules

from accounts.rules import is_analyst, is_partner
from catalogue.rules import can_view, is_own_partner_record

# The KPI pages: whoever sees the solution.
rules.add_perm("kpi.view_kpis", can_view)
# The solution's partner imports its cases, customers and NPS answers (CSV pages) ...
rules.add_perm("kpi.import_data", is_own_partner_record)
# ... and any partner sends them through the API, each row checked against its organisation.
rules.add_perm("kpi.use_api", is_partner)
# Analysts re-open a final month and run the half-year's NPS surveys.
rules.add_perm("kpi.reopen_month", is_analyst)
rules.add_perm("kpi.run_surveys", is_analyst)
