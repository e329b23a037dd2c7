from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data (`manage.py seed_demo`): made through the domain apps' own services, and
    kept out of them so the domain holds no demo code."""

    name = "demo"
    verbose_name = _("Demo data")
