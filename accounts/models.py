from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from .enums import NotificationChoice, NotificationKind, Role, SecurityEventKind


class User(AbstractUser):
    """A person using the portal. Partner developers belong to one partner organisation."""

    partner = models.ForeignKey(
        "catalogue.Partner",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # A team member tied to a partner (a former employee, a relative, a shareholding) is never
    # offered nor assigned that partner's requests.
    conflicted_partners = models.ManyToManyField(
        "catalogue.Partner",
        verbose_name=_("conflicts of interest"),
        blank=True,
        related_name="conflicted_team_members",
        help_text=_(
            "Partner organisations this team member is tied to: their requests are never "
            "assigned to them."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def conflicted_partner_ids(self) -> frozenset[int]:
        """The partners this person may not work for (read once per request)."""
        if not hasattr(self, "_conflicted_partner_ids"):
            self._conflicted_partner_ids = frozenset(
                self.conflicted_partners.values_list("pk", flat=True)
            )
        return self._conflicted_partner_ids

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def role_names(self) -> frozenset[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names


class ApiToken(AbstractAuthToken):
    """A partner's API credential (django-rest-knox): only the SHA-512 digest of the secret is
    stored, with the secret's first characters (`token_key`) to find it; the secret itself is
    shown once, when it is created. Revoking deletes the row; the security log keeps the fact.
    """

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"

    @property
    def expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


class SecurityEvent(models.Model):
    """One entry of the security log: append-only, written by accounts.security only."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=SecurityEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    target = models.CharField(_("record"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class NotificationPreference(models.Model):
    """How one person receives one kind of e-mail. No row means immediately; a row for a
    mandatory kind (MANDATORY_NOTIFICATIONS) is ignored (accounts.notifications)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind of message"), max_length=30, choices=NotificationKind.choices)
    choice = models.CharField(
        _("delivery"),
        max_length=10,
        choices=NotificationChoice.choices,
        default=NotificationChoice.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}: {self.get_choice_display()}"
