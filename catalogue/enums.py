from django.db import models
from django.utils.translation import gettext_lazy as _


class Marketplace(models.TextChoices):
    CREATIO = "creatio", "marketplace.creatio.com"
    TERRASOFT = "terrasoft", "marketplace.terrasoft.ru"


class CertificationStatus(models.TextChoices):
    CERTIFIED = "certified", _("Certified")
    AT_RISK = "at_risk", _("Certified, at risk")
    REVOKED = "revoked", _("Revoked")
