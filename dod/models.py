"""The Definition of Done (3.2) as versioned data, and the checks made on a request."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certportal.storage import materials_storage

from .enums import CheckResult, FindingStatus, Reviewer, RoundOutcome, Severity


class CriteriaVersion(models.Model):
    """One edition of the ten criteria. Editions are never changed: an edit makes a new one."""

    number = models.PositiveIntegerField(_("edition"), unique=True)
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("in force since"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("DoD edition")
        verbose_name_plural = _("DoD editions")

    def __str__(self):
        return _("DoD edition %(number)s") % {"number": self.number}

    @classmethod
    def in_force(cls) -> "CriteriaVersion":
        return cls.objects.latest()


class Criterion(models.Model):
    """One criterion of an edition, in English and in Russian (the regulation's own words
    where it is legible); `title_text` and `how_checked_text` are in the reader's language."""

    version = models.ForeignKey(
        CriteriaVersion,
        verbose_name=_("edition"),
        on_delete=models.PROTECT,
        related_name="criteria",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.TextField(_("criterion"))
    how_checked = models.TextField(_("how it is checked"))
    title_ru = models.TextField(_("criterion (Russian)"), blank=True)
    how_checked_ru = models.TextField(_("how it is checked (Russian)"), blank=True)
    external_services_only = models.BooleanField(
        _("applies only with external services"),
        default=False,
        help_text=_("“Not applicable” is allowed when the solution uses no external service."),
    )
    reviewer = models.CharField(
        _("checked by"), max_length=20, choices=Reviewer.choices, default=Reviewer.ANALYST
    )

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("DoD criterion")
        verbose_name_plural = _("DoD criteria")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="criterion_per_edition")
        ]

    def __str__(self):
        return f"{self.number}. {self.title_text}"

    def _in_reader_language(self, name: str) -> str:
        # Russian readers get the Russian text when the edition has it, the English otherwise.
        if (get_language() or "").startswith("ru"):
            return getattr(self, f"{name}_ru") or getattr(self, name)
        return getattr(self, name)

    @property
    def title_text(self) -> str:
        return self._in_reader_language("title")

    @property
    def how_checked_text(self) -> str:
        return self._in_reader_language("how_checked")

    def allows_not_applicable(self, application) -> bool:
        """R3.7: items 9–10 may be N/A only when the solution uses no external service."""
        return self.external_services_only and not application.solution.uses_external_services


class ReviewRound(models.Model):
    """One pass of the reviewers over the materials; rework opens the next round."""

    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("certification request"),
        on_delete=models.PROTECT,
        related_name="review_rounds",
    )
    number = models.PositiveSmallIntegerField(_("round"))
    criteria_version = models.ForeignKey(
        CriteriaVersion, verbose_name=_("DoD edition"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("materials submitted at"))
    started_at = models.DateTimeField(_("review started at"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=RoundOutcome.choices, blank=True
    )

    class Meta:
        ordering = ["application", "number"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="round_per_request")
        ]

    def __str__(self):
        return _("Round %(number)s") % {"number": self.number}


class CriterionCheck(models.Model):
    round = models.ForeignKey(
        ReviewRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="checks"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices)
    comment = models.TextField(_("comment"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        ordering = ["round", "criterion__number"]
        verbose_name = _("criterion check")
        verbose_name_plural = _("criterion checks")
        constraints = [
            models.UniqueConstraint(fields=["round", "criterion"], name="check_per_round")
        ]

    def __str__(self):
        return f"{self.criterion.number}: {self.get_result_display()}"


class CheckEvidence(models.Model):
    check_record = models.ForeignKey(
        CriterionCheck,
        verbose_name=_("check"),
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    file = models.FileField(
        _("file"), storage=materials_storage, upload_to="evidence/%Y/%m/", max_length=300
    )
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class Finding(models.Model):
    """A finding or recommendation for the partner (R3.8), answered by the partner."""

    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("certification request"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    round = models.ForeignKey(
        ReviewRound, verbose_name=_("raised in round"), on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    text = models.TextField(_("finding"))
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    resolved_in = models.ForeignKey(
        ReviewRound,
        verbose_name=_("resolved in round"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["application", "status", "raised_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return f"{self.get_severity_display()}: {self.text[:60]}"


class FindingAnswer(models.Model):
    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, related_name="answers"
    )
    text = models.TextField(_("answer"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["finding", "at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return self.text[:60]
