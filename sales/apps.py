from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Sales enablement (R7.2): the certified solutions' sales materials, video and product
    test for the vendor's sales staff."""

    name = "sales"
    verbose_name = _("Sales enablement")
