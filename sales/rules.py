"""Who may read the sales enablement pages (django-rules): the vendor's sales staff, and the
analysts, leaders and superusers who look after the programme. No partner: the pages name
every certified solution's materials."""

import rules

from accounts.rules import is_analyst, is_leader, is_sales, is_superuser

reads_sales_materials = is_sales | is_analyst | is_leader | is_superuser

rules.add_perm("sales.view_sales", reads_sales_materials)
