from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    """The programme overview for analysts and leaders, the exports of its tables and the
    rules' traceability: read-only views over the workflow, the stages and the KPIs."""

    name = "insight"
    verbose_name = _("Programme insight")
