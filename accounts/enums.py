from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The programme's roles; each is a Django group created by a data migration."""

    PARTNER = "Partner", _("Partner developer")
    ANALYST = "Analyst", _("Marketplace analyst")
    LEADER = "Leader", _("Leader")
    RND_EXPERT = "R&D expert", _("R&D expert")
    AUDITOR = "Auditor", _("Auditor")


class SecurityEventKind(models.TextChoices):
    """What the security log records (docs/security.md)."""

    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOCKED_OUT = "locked_out", _("Lockout")
    ACCESS_REFUSED = "access_refused", _("Refused access to an existing record")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    BADGE_CHANGED = "badge_changed", _("Badge changed by hand")
