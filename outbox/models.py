"""The outbox: what a decision must send or start, recorded in the decision's transaction."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import NotificationKind


class Message(models.Model):
    """One task to run on behalf of a committed step: an e-mail to send, a job to start.

    It is written in the step's transaction, so it exists exactly when the step does, and it
    stays here until a worker has run it: a broker or mail server that is down only delays it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")  # not yet accepted by the broker, or to be retried
        SENT = "sent", _("Handed to the broker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Delivered")
        FAILED = "failed", _("Failed")  # every attempt failed: staff look into it
        # Nobody to send it to now: each recipient chose a digest or nothing (its notices).
        SKIPPED = "skipped", _("Not sent: held for digests or declined")

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    # The same key is recorded once: a step or an import seen twice sends its message once.
    key = models.CharField(_("key"), max_length=255, unique=True, null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("handed to the broker"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            # The sweep reads what is not done, by state and due time.
            models.Index(
                fields=["state", "next_attempt_at"],
                name="outbox_undone",
                condition=~models.Q(state="done"),
            )
        ]

    def __str__(self):
        return f"{self.task} #{self.pk} ({self.get_state_display()})"


class Notice(models.Model):
    """One person's copy of a message they chose not to receive at once: held for their
    daily digest, or not sent at all. Written with the message, in its transaction
    (outbox.notices); the copy is the e-mail as written then, in the person's language."""

    class Decision(models.TextChoices):
        HELD = "held", _("Held for the daily digest")
        SKIPPED = "skipped", _("Not sent: the recipient chose none")
        DIGESTED = "digested", _("Sent in a daily digest")

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    recipient = models.EmailField(_("recipient"))
    kind = models.CharField(_("kind of message"), max_length=30, choices=NotificationKind.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    digest = models.ForeignKey(
        "Digest",
        verbose_name=_("digest"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notice held or skipped")
        verbose_name_plural = _("notices held or skipped")
        indexes = [
            # The digest job reads who has notices held.
            models.Index(
                fields=["user", "created_at"],
                name="outbox_notice_held",
                condition=models.Q(decision="held"),
            )
        ]

    def __str__(self):
        return f"{self.recipient} · {self.kind} ({self.get_decision_display()})"


class Digest(models.Model):
    """One person's daily digest: at most one per person and day (the portal's TIME_ZONE).
    Written with the notices it takes, in one transaction, and e-mailed through the outbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="digests",
    )
    day = models.DateField(_("day"))
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_person_and_day")
        ]

    def __str__(self):
        return f"{self.recipient} · {self.day}"
