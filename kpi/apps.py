from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    verbose_name = _("Support KPIs")

    def ready(self):
        # Stage 4's regular audit page shows the customers' versions (R6.3, R6.4): stage 4
        # sits below this app, so this app tells it through its hook.
        from support_audit import audit_facts  # noqa: PLC0415  (models load before ready())

        # The texts it writes on the badge's history and its breaches, rendered where read.
        from . import texts  # noqa: F401, PLC0415
        from .customers import regular_audit_facts, versions_behind_finding  # noqa: PLC0415

        audit_facts.provide_facts(regular_audit_facts)
        audit_facts.provide_finding("R6.4", versions_behind_finding)
