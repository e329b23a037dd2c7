from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from rules.contrib.models import RulesModelBase, RulesModelMixin

from certportal.system_texts import WithSystemText

from ..enums import CertificationStatus
from ..rules import can, can_view

B = CertificationStatus
BADGE_ON = (B.CERTIFIED, B.AT_RISK)


def can_revoke(instance, user) -> bool:
    """Analysts by hand, or the KPI job enforcing a target (R5.8)."""
    return user.has_perm("catalogue.manage_badge", instance) or user.has_perm(
        "catalogue.enforce_kpis", instance
    )


class Certification(
    RulesModelMixin, ConcurrentTransitionMixin, models.Model, metaclass=RulesModelBase
):
    """A solution's certification: which version is certified, since when, and its badge.

    The badge's status is a state machine moved only by `catalogue.badge`, which appends
    each change to `CertificationEvent`: granted (the initial state), at risk, revoked,
    restored.
    """

    solution = models.OneToOneField(
        "catalogue.Solution",
        verbose_name=_("solution"),
        on_delete=models.PROTECT,
        related_name="certification",
    )
    version = models.ForeignKey(
        "catalogue.SolutionVersion",
        verbose_name=_("certified version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("granted by request"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = FSMField(
        _("status"), max_length=20, choices=B.choices, default=B.CERTIFIED, protected=True
    )
    since = models.DateTimeField(_("certified since"), default=timezone.now)
    next_audit_due = models.DateField(_("next regular audit due"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        rules_permissions = {"view": can_view}

    def __str__(self):
        return f"{self.solution} {self.version.number}: {self.get_status_display()}"

    @property
    def badge_on(self) -> bool:
        return self.status in BADGE_ON

    @property
    def reason_text(self) -> str:
        """Why the badge is as it is now: the reason of its latest change, in the reader's
        language ("" when none was given). One query."""
        last = self.events.order_by("-at", "-pk").first()
        return last.reason_text if last else ""

    # The badge's transitions; `catalogue.badge` calls them and writes the history.

    @transition(
        field=status,
        source=B.CERTIFIED,
        target=B.AT_RISK,
        permission=can("catalogue.enforce_kpis"),
    )
    def mark_at_risk(self):
        """A KPI failed, a remediation plan in force covers it: the badge stays on (R5.8)."""

    @transition(field=status, source=list(BADGE_ON), target=B.REVOKED, permission=can_revoke)
    def revoke(self):
        """The badge comes off (R5.8, R7.1)."""

    @transition(
        field=status,
        source=B.REVOKED,
        target=B.CERTIFIED,
        permission=can("catalogue.manage_badge"),
    )
    def restore(self):
        """An analyst puts a revoked badge back on."""


class CertificationEvent(WithSystemText):
    """The append-only history of a certification: grants, version changes, revocations."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Granted")
        VERSION_UPDATED = "version_updated", _("Certified version updated")
        REVOKED = "revoked", _("Revoked")
        RESTORED = "restored", _("Restored")
        AT_RISK = "at_risk", _("Marked at risk")

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    status = models.CharField(_("status after"), max_length=20, choices=CertificationStatus.choices)
    version = models.ForeignKey(
        "catalogue.SolutionVersion",
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The reason as a person typed it, or, when the system gave it (the KPI job's figures,
    # a grant after the stages passed), its text's code and parameters: see `reason_text`.
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when a scheduled job acted."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # Set once everyone its route names has been told: makes the mailing idempotent ...
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True, editable=False)
    # ... and, person by person, whom it has reached: a mailing interrupted half-way (the mail
    # server refusing the third address) goes on with the others when it is run again.
    notified_to = models.JSONField(_("told"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["certification", "at", "pk"]
        verbose_name = _("certification event")
        verbose_name_plural = _("certification history")

    def __str__(self):
        return f"{self.certification.solution}: {self.get_action_display()}"

    @property
    def reason_text(self) -> str:
        """The reason to show: the system's, in the reader's language, or the typed one."""
        return self.shown(self.reason)
