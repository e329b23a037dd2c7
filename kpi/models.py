"""Stage 5 data: support cases, customers, NPS answers, SLA policies, thresholds, snapshots."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certportal.system_texts import WithSystemText
from support_audit.business_hours import Region
from support_audit.enums import SupportPackage


class CasePriority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class KPI(models.TextChoices):
    RESPONSE_OVERDUE_RATE = "response_overdue_rate", _("Cases overdue on response")
    RESOLUTION_OVERDUE_RATE = "resolution_overdue_rate", _("Cases overdue on resolution")
    CSAT_RESPONSE_RATE = "csat_response_rate", _("CSAT response rate")
    CSAT_POSITIVE_SHARE = "csat_positive_share", _("CSAT positive share")
    ESCALATIONS = "escalations", _("Escalated cases")
    NPS_MEAN = "nps_mean", _("NPS survey mean score")
    NPS_CLASSIC = "nps_classic", _("Classic NPS")


class Comparison(models.TextChoices):
    AT_MOST = "at_most", _("at most")
    AT_LEAST = "at_least", _("at least")


class SLAPolicy(models.Model):
    """Response and resolution times of a support package (and optionally a priority).

    A policy is changed by adding a row that takes effect at `valid_from` (never in the past):
    a case is judged by the policy in force when it was registered, so the history stays.
    """

    package = models.CharField(_("support package"), max_length=20, choices=SupportPackage.choices)
    priority = models.CharField(
        _("priority"),
        max_length=20,
        choices=CasePriority.choices,
        blank=True,
        help_text=_("Empty: every priority without a policy of its own."),
    )
    response_hours = models.DecimalField(_("response time, hours"), max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(
        _("resolution time, hours"), max_digits=7, decimal_places=2
    )
    around_the_clock = models.BooleanField(
        _("counted around the clock"),
        default=False,
        help_text=_("Otherwise in the business hours of the case's region."),
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["package", "priority", "-valid_from"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "priority", "valid_from"], name="one_policy_per_package_and_time"
            )
        ]

    def __str__(self):
        return f"{self.get_package_display()} {self.get_priority_display() or ''}".strip()


class Threshold(models.Model):
    """A KPI target; a change adds a row (history), the newest valid row applies."""

    kpi = models.CharField(_("KPI"), max_length=40, choices=KPI.choices)
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices)
    # Rates as fractions (0.01 = 1 %), counts as numbers, NPS as a mean score.
    value = models.DecimalField(_("target"), max_digits=8, decimal_places=4)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["kpi", "-valid_from"]
        get_latest_by = "valid_from"
        verbose_name = _("KPI threshold")
        verbose_name_plural = _("KPI thresholds")

    def __str__(self):
        return f"{self.get_kpi_display()} {self.get_comparison_display()} {self.value}"


class SupportCase(models.Model):
    """A support case of a certified solution, as the partner's support system reports it.

    Deadlines are never sent by the partner: they are computed when the case is written, from
    the SLA of the customer's contract (its package and region, the package's policy in force
    when the case was registered, the region's business calendar), and stored, so that
    "overdue" is a plain SQL comparison. A pre-sale question comes from a prospect: it names
    no customer record and is due within the declared business days.
    """

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="support_cases",
        db_index=False,  # the unique constraint below starts with the solution
    )
    case_id = models.CharField(_("case id"), max_length=100)
    customer = models.CharField(_("customer"), max_length=200, blank=True)
    # The customer's contract (blank for a pre-sale question that names no package).
    support_package = models.CharField(
        _("support package"), max_length=20, choices=SupportPackage.choices, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=20, choices=CasePriority.choices, default=CasePriority.MEDIUM
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    registered_at = models.DateTimeField(_("registered"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    csat = models.PositiveSmallIntegerField(_("CSAT rating"), null=True, blank=True)
    presale = models.BooleanField(_("pre-sale question"), default=False)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    # Set when the case first arrived after its month's figures were final (kpi.finality).
    arrived_late_at = models.DateTimeField(
        _("arrived after the month was final"), null=True, blank=True
    )

    class Meta:
        ordering = ["solution", "registered_at"]
        verbose_name = _("support case")
        verbose_name_plural = _("support cases")
        constraints = [
            models.UniqueConstraint(fields=["solution", "case_id"], name="case_id_per_solution"),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5),
                name="csat_between_1_and_5",
            ),
            models.CheckConstraint(
                condition=models.Q(escalation_level__lte=4), name="escalation_level_0_to_4"
            ),
        ]
        indexes = [
            models.Index(fields=["solution", "registered_at"], name="case_month_idx"),
            # A month of every solution (the KPI jobs' counts, kpi.counting): read by its
            # registration times, not by scanning the years of history.
            models.Index(fields=["registered_at"], name="case_registered_idx"),
        ]

    def __str__(self):
        return f"{self.solution_id}:{self.case_id}"


class Customer(models.Model):
    """A customer of a certified solution, as the partner reports it (R6.3, R6.4, R5.1)."""

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,  # the unique constraint below starts with the solution
    )
    customer_id = models.CharField(_("customer id"), max_length=200)
    installed_version = models.CharField(_("installed version"), max_length=40)
    # The contract decides the SLA of the customer's cases (R5.4, R5.5). Blank only on records
    # stored before the contract was reported: their cases are refused until it is.
    support_package = models.CharField(
        _("support package"), max_length=20, choices=SupportPackage.choices
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    active_until = models.DateField(
        _("subscription or paid support active until"), null=True, blank=True
    )

    class Meta:
        ordering = ["solution", "customer_id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "customer_id"], name="customer_id_per_solution"
            )
        ]

    def __str__(self):
        return self.customer_id


class NPSAnswer(models.Model):
    """One customer's NPS answer (0–10); one per respondent and half-year, the later wins. It
    came from the partner (a file or the API) or from the survey the portal ran itself."""

    class Source(models.TextChoices):
        PARTNER = "partner", _("Partner")
        PORTAL = "portal", _("Portal survey")

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="nps_answers",
        db_index=False,  # the unique constraint below starts with the solution
    )
    respondent = models.CharField(_("respondent"), max_length=200)
    half_year = models.CharField(_("half-year"), max_length=7)  # "2026-H2"
    answered_at = models.DateTimeField(_("answered at"))
    score = models.PositiveSmallIntegerField(_("score"))
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.PARTNER
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["solution", "half_year", "respondent"]
        verbose_name = _("NPS answer")
        verbose_name_plural = _("NPS answers")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "respondent", "half_year"], name="one_answer_per_half_year"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=10), name="nps_score_0_to_10"),
        ]

    def __str__(self):
        return f"{self.respondent} {self.half_year}: {self.score}"


class KPISnapshot(models.Model):
    """A KPI of a solution for a period, with the counts it came from; re-evaluating the same
    period updates the row in place."""

    class Status(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")
        NO_DATA = "no_data", _("No data")
        # A half-year that ended with active customers and no answer (R5.1).
        MISSING = "missing", _("Survey missing")

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="kpi_snapshots",
        db_index=False,  # the unique constraint below starts with the solution
    )
    period = models.CharField(_("period"), max_length=7)  # "2026-10" or "2026-H2"
    kpi = models.CharField(_("KPI"), max_length=40, choices=KPI.choices)
    numerator = models.IntegerField(_("numerator"))
    denominator = models.IntegerField(_("denominator"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=6, null=True)
    # The target as it read when judged (the API's form), and its facts, which the pages
    # render in the reader's language (`target_text`); empty when no target applied.
    target = models.CharField(_("target"), max_length=40)
    comparison = models.CharField(
        _("comparison"), max_length=10, choices=Comparison.choices, blank=True
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # A month is final once every case registered in it is resolved or past its resolution
    # deadline (kpi.finality); until then its figures are provisional.
    provisional = models.BooleanField(_("provisional (not final yet)"), default=False)
    evaluated_at = models.DateTimeField(_("evaluated at"))
    as_of = models.DateTimeField(_("evaluation time"))

    class Meta:
        ordering = ["solution", "-period", "kpi"]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "period", "kpi"], name="one_snapshot_per_period"
            )
        ]

    def __str__(self):
        return f"{self.solution_id} {self.period} {self.kpi}: {self.status}"


class Breach(WithSystemText):
    """A KPI that failed for a period, and what was done about it (R5.8)."""

    class Action(models.TextChoices):
        REVOKED = "revoked", _("Badge revoked")
        COVERED = "covered_by_remediation", _("Covered by a remediation plan")
        NONE = "none", _("None (not certified)")
        # No automatic revocation: the analysts are told and decide (a missing NPS survey).
        ANALYSTS_DECIDE = "analysts_decide", _("Analysts decide")

    class Basis(models.TextChoices):
        FINAL = "final", _("Final figures")
        IRREVERSIBLE = "irreversible", _("Before the figures were final: no later data can undo it")

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="kpi_breaches",
        db_index=False,  # the unique constraint below starts with the solution
    )
    period = models.CharField(_("period"), max_length=7)
    kpi = models.CharField(_("KPI"), max_length=40, choices=KPI.choices)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    basis = models.CharField(
        _("judged on"), max_length=20, choices=Basis.choices, default=Basis.FINAL
    )
    # The figures in the system's words, kept as its text's code and parameters (the counts,
    # the customers surveyed): see `detail_text`. `detail` holds what older rows said.
    detail = models.TextField(_("figures"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # When the analysts were e-mailed about a breach they decide on (once).
    notified_at = models.DateTimeField(_("analysts told at"), null=True, blank=True)

    class Meta:
        ordering = ["solution", "-period", "kpi"]
        verbose_name = _("KPI breach")
        verbose_name_plural = _("KPI breaches")
        constraints = [
            models.UniqueConstraint(fields=["solution", "period", "kpi"], name="one_breach_per_kpi")
        ]

    def __str__(self):
        return f"{self.solution_id} {self.period} {self.kpi}"

    @property
    def detail_text(self) -> str:
        """The figures behind the breach, in the reader's language."""
        return self.shown(self.detail)


class MonthReopening(models.Model):
    """An analyst re-opened the evaluation of a solution's final month (to count the cases that
    arrived after it was final); append-only."""

    solution = models.ForeignKey(
        "catalogue.Solution", on_delete=models.PROTECT, related_name="kpi_month_reopenings"
    )
    period = models.CharField(_("month"), max_length=7)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("re-opened at"), default=timezone.now)
    # The figures before the re-opening, e.g. {"escalations": [3, 40, "fail"]}.
    figures_before = models.JSONField(_("figures before"), default=dict)

    class Meta:
        ordering = ["solution", "-at"]
        verbose_name = _("re-opened month")
        verbose_name_plural = _("re-opened months")

    def __str__(self):
        return f"{self.solution_id} {self.period} {self.at:%Y-%m-%d}"


class KPIWarning(models.Model):
    """The early warning that a month's KPI misses its target so far, to one person: at most
    one per solution, month, KPI and person (kpi.early_warnings)."""

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="kpi_warnings",
        db_index=False,  # the unique constraint below starts with the solution
    )
    period = models.CharField(_("month"), max_length=7)
    kpi = models.CharField(_("KPI"), max_length=40, choices=KPI.choices)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    numerator = models.IntegerField(_("numerator"))
    denominator = models.IntegerField(_("denominator"))
    comparison = models.CharField(_("comparison"), max_length=10, choices=Comparison.choices)
    target = models.DecimalField(_("target"), max_digits=8, decimal_places=4)
    # The month was over: nothing but cases still open can change the figures.
    month_over = models.BooleanField(_("month over"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["solution", "-period", "kpi", "recipient"]
        verbose_name = _("KPI warning")
        verbose_name_plural = _("KPI warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "period", "kpi", "recipient"], name="one_warning_per_person"
            )
        ]

    def __str__(self):
        return f"{self.solution_id} {self.period} {self.kpi} → {self.recipient}"


class NPSSurvey(models.Model):
    """A half-year's NPS survey of a certified solution's active customers, run by the portal
    (R5.1): one per solution and half-year; each customer with a contact e-mail is invited."""

    solution = models.ForeignKey(
        "catalogue.Solution",
        on_delete=models.PROTECT,
        related_name="nps_surveys",
        db_index=False,  # the unique constraint below starts with the solution
    )
    half_year = models.CharField(_("half-year"), max_length=7)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "solution"]
        verbose_name = _("NPS survey")
        verbose_name_plural = _("NPS surveys")
        constraints = [
            models.UniqueConstraint(fields=["solution", "half_year"], name="one_survey_per_half")
        ]

    def __str__(self):
        return f"{self.solution_id} {self.half_year}"


class NPSInvitation(models.Model):
    """One customer's personal link to a survey: signed, single use, expiring."""

    survey = models.ForeignKey(NPSSurvey, on_delete=models.PROTECT, related_name="invitations")
    customer_id = models.CharField(_("customer id"), max_length=200)
    email = models.EmailField(_("e-mail"))
    language = models.CharField(_("language"), max_length=10)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "customer_id"]
        verbose_name = _("NPS invitation")
        verbose_name_plural = _("NPS invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "customer_id"], name="one_invitation_per_customer"
            )
        ]

    def __str__(self):
        return f"{self.survey} {self.customer_id}"


class EvaluationRun(models.Model):
    """One run of a KPI job over a period, and its ledger: the solutions it must evaluate and
    those done (kpi.runs). A run with solutions not done is incomplete: the sweep completes it;
    a complete run keeps only its counts."""

    class Kind(models.TextChoices):
        PERIOD_ENDED = "period_ended", _("Period ended")
        SO_FAR = "so_far", _("Month so far")
        NOT_FINAL = "not_final", _("Month not final yet")

    # The task that started the run: a task delivered again finds its own run.
    key = models.CharField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=7)
    as_of = models.DateTimeField(_("figures as of"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # How many solutions it had to evaluate: its items are removed once all are done (a daily
    # run over every solution would otherwise pile up millions of rows a year).
    solution_count = models.PositiveIntegerField(_("solutions"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("KPI evaluation run")
        verbose_name_plural = _("KPI evaluation runs")
        indexes = [
            models.Index(fields=["period", "kind"], name="kpi_run_period"),
            # The sweep reads the runs not complete.
            models.Index(
                fields=["started_at"],
                name="kpi_run_incomplete",
                condition=models.Q(completed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} ({self.as_of:%Y-%m-%d %H:%M})"


class RunItem(models.Model):
    """One solution of an evaluation run: pending until it is evaluated; a failure is kept
    with its error and tried again with back-off."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="items")
    solution = models.ForeignKey("catalogue.Solution", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    # When the sweep hands the solution to a worker (again): a worker lost with it, or a
    # failure, is retried from then on.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    error = models.TextField(_("last error"), blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["run", "solution"]
        verbose_name = _("solution of a run")
        verbose_name_plural = _("solutions of a run")
        constraints = [
            models.UniqueConstraint(fields=["run", "solution"], name="one_item_per_solution")
        ]
        indexes = [
            models.Index(
                fields=["run", "next_attempt_at"],
                name="kpi_run_item_undone",
                condition=~models.Q(state="done"),
            )
        ]

    def __str__(self):
        return f"{self.run_id} {self.solution_id} {self.state}"
