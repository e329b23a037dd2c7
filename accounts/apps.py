from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Both import models, which load only once the apps are ready.
        from . import security  # noqa: PLC0415
        from .permissions import grant_role_permissions  # noqa: PLC0415

        security.connect_axes()

        # Connected for every app: the last call sees the permissions of every model.
        post_migrate.connect(grant_role_permissions, dispatch_uid="grant_role_permissions")
