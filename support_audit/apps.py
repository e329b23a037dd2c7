from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportAuditConfig(AppConfig):
    name = "support_audit"
    verbose_name = _("Support certification")
