from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Certification requests")

    def ready(self):
        # Its receivers forget the public pages; it imports models, loaded once the apps are ready.
        from catalogue import public_cache  # noqa: F401, PLC0415

        # The texts it writes on its records, rendered wherever they are read.
        from . import texts  # noqa: F401, PLC0415
