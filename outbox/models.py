"""The outbox: what a decision must send or start, recorded in the decision's transaction."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
