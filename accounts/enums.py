from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The programme's roles; each is a Django group created by a data migration."""

    PARTNER = "Partner", _("Partner developer")
    ANALYST = "Analyst", _("Marketplace analyst")
    LEADER = "Leader", _("Leader")
    RND_EXPERT = "R&D expert", _("R&D expert")
    AUDITOR = "Auditor", _("Auditor")
