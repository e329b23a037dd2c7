from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The programme's roles; each is a Django group created by a data migration."""

    PARTNER = "Partner", _("Partner developer")
    ANALYST = "Analyst", _("Marketplace analyst")
    LEADER = "Leader", _("Leader")
    RND_EXPERT = "R&D expert", _("R&D expert")
    AUDITOR = "Auditor", _("Auditor")
    SALES = "Sales", _("Sales manager")


class SecurityEventKind(models.TextChoices):
    """What the security log records (docs/security.md)."""

    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOCKED_OUT = "locked_out", _("Lockout")
    ACCESS_REFUSED = "access_refused", _("Refused access to an existing record")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    BADGE_CHANGED = "badge_changed", _("Badge changed by hand")


class NotificationKind(models.TextChoices):
    """A family of e-mails: each person chooses, per kind, how they receive it
    (`NotificationChoice`). Every route of a request's step or a badge's change, and every
    reminder or warning the portal sends, names its kind."""

    REQUEST_PROGRESS = "request_progress", _("Progress of a request")
    REQUEST_DECISION = "request_decision", _("Decisions on a request")
    REVIEW_CHANGES = "review_changes", _("Changes asked by a review")
    NONCONFORMITY_REPORT = "nonconformity_report", _("Support audit report")
    ASSIGNMENT = "assignment", _("Requests assigned to you")
    BADGE_GRANTED = "badge_granted", _("Badge granted or restored")
    BADGE_AT_RISK = "badge_at_risk", _("Badge at risk")
    BADGE_REVOKED = "badge_revoked", _("Badge revoked")
    REMINDER = "reminder", _("Daily reminders of what is due")
    EARLY_WARNING = "early_warning", _("Early warnings of a KPI missing its target")


class NotificationChoice(models.TextChoices):
    """How a person receives one kind of e-mail."""

    IMMEDIATE = "immediate", _("Immediately, one e-mail each")
    DIGEST = "digest", _("In a daily digest")
    NONE = "none", _("Not at all")


# Kinds the regulation requires to reach the partner: always sent at once, whatever anyone
# chose; the settings page shows them fixed, with the reason.
MANDATORY_NOTIFICATIONS: dict[NotificationKind, str] = {
    NotificationKind.BADGE_REVOKED: _(
        "The regulation requires the developer to be told when the Marketplace team revokes "
        "the “Certified” status (R5.8)."
    ),
    NotificationKind.NONCONFORMITY_REPORT: _(
        "The regulation requires the Marketplace team to send the developer the audit report "
        "with the nonconformities found (R4.7)."
    ),
}
