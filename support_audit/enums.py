from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.enums import Marketplace

from .business_hours import Region


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Customer portal")
    CHAT = "chat", _("Chat")
    OTHER = "other", _("Other")


class SupportPackage(models.TextChoices):
    BASIC = "basic", _("Basic")
    BUSINESS = "business", _("Business")
    PREMIUM = "premium", _("Premium")


class EscalationRole(models.TextChoices):
    HEAD_OF_DEPARTMENT = "head_of_department", _("Head of department")
    CEO = "ceo", _("CEO")
    OTHER = "other", _("Other")


class AuditType(models.TextChoices):
    PAST_CASES = "past_cases", _("Analysis of past cases")
    MYSTERY_SHOPPER = "mystery_shopper", _("Mystery shopper")
    PROCESS_REVIEW = "process_review", _("Process review")


class AuditPurpose(models.TextChoices):
    CERTIFICATION = "certification", _("Support certification")
    REAUDIT = "reaudit", _("Re-audit after remediation")
    REGULAR = "regular", _("Regular audit")


class AuditOutcome(models.TextChoices):
    PASSED = "passed", _("Passed")
    NONCONFORMITIES = "nonconformities", _("Nonconformities found")


class NonconformitySeverity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


# Regulation 4.2: the regions and language each marketplace's customers are served in (R4.5).
MARKETPLACE_REGIONS = {
    Marketplace.CREATIO: (Region.AMERICAS_EAST, Region.AMERICAS_WEST, Region.APAC, Region.EMEA),
    Marketplace.TERRASOFT: (Region.RUSSIA,),
}
MARKETPLACE_LANGUAGE = {Marketplace.CREATIO: "en", Marketplace.TERRASOFT: "ru"}
PRESALE_MAX_BUSINESS_DAYS = 2  # R4.4
