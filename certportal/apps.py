import logging

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from . import checks  # noqa: F401  (registers the system checks)

logger = logging.getLogger("certportal")


class CertportalConfig(AppConfig):
    default = True
    name = "certportal"
    verbose_name = _("Certification portal")

    def ready(self):
        # It imports django-celery-beat's models, which load only once the apps are ready.
        from .schedules import sync_after_migrate  # noqa: PLC0415

        # After every migrate, the periodic jobs' rows follow the apps' declarations (jobs.py).
        post_migrate.connect(
            sync_after_migrate,
            sender=apps.get_app_config("django_celery_beat"),
            dispatch_uid="certportal.schedules",
        )

        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.warning(
                "REDIS_URL is not set: background tasks run eagerly inside the web process."
            )
        elif not settings.REDIS_URL:
            logger.info(
                "REDIS_URL is not set: tasks go to the file-system broker in %s.",
                settings.BROKER_FOLDER,
            )


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin with the portal's own site: it hides itself from non-staff users."""

    default = False
    default_site = "certportal.admin_site.PortalAdminSite"
