"""Support certification (stage 4): the standards a partner declares, the audits of them,
nonconformities and remediation plans, and the vendor's escalation levels."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certportal.storage import materials_storage

from .business_hours import Region
from .enums import (
    AuditOutcome,
    AuditPurpose,
    AuditType,
    EscalationRole,
    NonconformitySeverity,
)


class SupportDeclaration(models.Model):
    """What the partner commits to (4.1, 4.2), declared for one certification request.

    A declaration is saved as it stands, a draft, whatever it still lacks: the standards are
    checked (support_audit.standards) when the partner submits them and shown as still unmet
    meanwhile. `version` counts the saves, so a save made on an older copy (another tab, a
    colleague) is refused instead of silently replacing the newer one.
    """

    application = models.OneToOneField(
        "workflow.Application",
        verbose_name=_("certification request"),
        on_delete=models.PROTECT,
        related_name="support_declaration",
    )
    system_name = models.CharField(_("support system"), max_length=200, blank=True)
    system_url = models.URLField(_("support system address"), blank=True)
    channels = models.JSONField(_("channels supported"), default=list)
    all_channels_registered = models.BooleanField(
        _("every case from every channel is registered in the support system"), default=False
    )
    partner_portal_consent = models.BooleanField(
        _("customers may also register cases on the vendor's partner portal"), default=False
    )
    packages = models.JSONField(_("support packages served"), default=list)
    presale_business_days = models.PositiveSmallIntegerField(
        _("pre-sale questions answered within (business days)"), null=True, blank=True
    )
    escalation_name = models.CharField(_("first escalation contact"), max_length=200, blank=True)
    escalation_role = models.CharField(
        _("their position"), max_length=30, choices=EscalationRole.choices, blank=True
    )
    escalation_email = models.EmailField(_("their e-mail"), blank=True)
    escalation_phone = models.CharField(_("their phone"), max_length=40, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("support declaration")
        verbose_name_plural = _("support declarations")

    def __str__(self):
        return str(self.application)


class RegionSupport(models.Model):
    """Support hours in one of the customer regions, in that region's time zone (R4.5)."""

    declaration = models.ForeignKey(
        SupportDeclaration, on_delete=models.CASCADE, related_name="regions"
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    language = models.CharField(_("language"), max_length=10)
    # {"0": ["09:00", "18:00"], ...}: weekday (0 = Monday) → opening and closing time; a
    # closing time at or before the opening is the next day's (19:00–10:00 is a night). A
    # draft may hold half a day (["09:00", ""]), which the standards report as unmet.
    hours = models.JSONField(_("weekly hours"), default=dict)

    class Meta:
        ordering = ["declaration", "region"]
        verbose_name = _("regional support")
        verbose_name_plural = _("regional support")
        constraints = [
            models.UniqueConstraint(fields=["declaration", "region"], name="one_row_per_region")
        ]

    def __str__(self):
        return self.get_region_display()


class VendorEscalationLevel(models.Model):
    """The vendor's escalation levels 1–4 of regulation 4.2, with the people of each."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    title = models.CharField(_("who escalates"), max_length=200)
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people notified"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["level"]
        verbose_name = _("vendor escalation level")
        verbose_name_plural = _("vendor escalation levels")

    def __str__(self):
        return f"{self.level}. {self.title}"


class SupportAudit(models.Model):
    """An audit of a partner's support (4.3 at certification, stage 5 regularly)."""

    solution = models.ForeignKey(
        "catalogue.Solution",
        verbose_name=_("solution"),
        on_delete=models.PROTECT,
        related_name="support_audits",
    )
    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("certification request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_audits",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=AuditPurpose.choices)
    type = models.CharField(_("type"), max_length=20, choices=AuditType.choices)
    held_on = models.DateField(_("date"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checklist = models.JSONField(_("checklist"), default=list)  # [{"item": ..., "ok": bool}]
    summary = models.TextField(_("summary"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=AuditOutcome.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["solution", "-held_on", "-pk"]
        verbose_name = _("support audit")
        verbose_name_plural = _("support audits")

    def __str__(self):
        return f"{self.get_type_display()} {self.held_on}"


class Nonconformity(models.Model):
    audit = models.ForeignKey(
        SupportAudit,
        verbose_name=_("audit"),
        on_delete=models.PROTECT,
        related_name="nonconformities",
    )
    description = models.TextField(_("nonconformity"))
    severity = models.CharField(_("severity"), max_length=20, choices=NonconformitySeverity.choices)
    closed_by_audit = models.ForeignKey(
        SupportAudit,
        verbose_name=_("closed by re-audit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["audit", "pk"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")

    def __str__(self):
        return self.description[:60]


class RemediationPlan(models.Model):
    """The plan agreed with the partner to remove nonconformities or a KPI breach (R4.7, R5.8)."""

    solution = models.ForeignKey(
        "catalogue.Solution",
        verbose_name=_("solution"),
        on_delete=models.PROTECT,
        related_name="remediation_plans",
    )
    audit = models.ForeignKey(
        SupportAudit,
        verbose_name=_("audit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remediation_plans",
    )
    # KPI names the plan covers (the KPI engine keeps the badge on while it is in force).
    covers_kpis = models.JSONField(_("KPIs covered"), default=list, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), default=timezone.now)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["solution", "-agreed_at"]
        verbose_name = _("remediation plan")
        verbose_name_plural = _("remediation plans")

    def __str__(self):
        return _("Remediation plan of %(date)s") % {"date": self.agreed_at.date()}

    @property
    def in_force(self) -> bool:
        return self.closed_at is None


class RemediationItem(models.Model):
    plan = models.ForeignKey(
        RemediationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    description = models.TextField(_("action"))
    owner = models.CharField(_("owner"), max_length=200)
    due_on = models.DateField(_("due"))
    # Marking an action done is recorded once, with who did it and why it is done; it is
    # never overwritten (the auditors read it at the re-audit).
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_note = models.TextField(_("what was done"), blank=True)
    done_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    done_evidence = models.FileField(
        _("evidence file"),
        storage=materials_storage,
        upload_to="remediation/%Y/%m/",
        max_length=300,
        blank=True,
    )
    done_evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        verbose_name = _("remediation item")
        verbose_name_plural = _("remediation items")

    def __str__(self):
        return self.description[:60]

    def is_overdue(self, today=None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class Reminder(models.Model):
    """The daily reminder e-mailed to one person: at most one a day, whatever it lists, so that
    running the job again the same day sends nothing (support_audit.reminders).

    The e-mail is written when the row is recorded, in the recipient's language of that
    moment, and sent through the outbox (`support_audit.deliver_reminder`): `sent_at` stays
    empty until the mail server has taken it."""

    recipient = models.EmailField(_("recipient"))
    day = models.DateField(_("day"))
    language = models.CharField(_("language"), max_length=10)
    # What the e-mail listed: ["audit:12", "item:40", "review:7"].
    items = models.JSONField(_("items listed"), default=list)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "recipient"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_reminder_a_day")
        ]

    def __str__(self):
        return f"{self.recipient} {self.day}"
