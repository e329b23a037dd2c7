from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import AssignmentRole


class AssignmentEvent(models.Model):
    """One assignment or unassignment of a request's analyst or R&D expert: the history of who
    worked on it. Append-only, written by workflow.services.assignment only; `notified_at` is
    the bookkeeping of its e-mail."""

    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        related_name="assignment_events",
    )
    role = models.CharField(_("as"), max_length=20, choices=AssignmentRole.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the request was unassigned."),
    )
    previous = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previously assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    notified_at = models.DateTimeField(_("assignee told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["application", "at"], name="assignment_history")]

    def __str__(self):
        return f"{self.application_id} {self.role}: {self.assignee_id or '-'}"
