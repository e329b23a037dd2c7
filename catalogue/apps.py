from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue and certification")

    def ready(self):
        from . import public_cache  # noqa: F401, PLC0415  (its receivers forget the public pages)
