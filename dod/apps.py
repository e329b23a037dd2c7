from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DodConfig(AppConfig):
    name = "dod"
    verbose_name = _("Definition of Done")
