from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from rules.contrib.models import RulesModelBase, RulesModelMixin

from accounts.rules import is_leader
from catalogue.models.solutions import Solution, SolutionVersion
from catalogue.rules import can, can_view, is_own_partner_record

from .. import conditions
from ..enums import (
    ACTIVE_STATES,
    STAGE_OF_STATE,
    ApplicationKind,
    ApplicationState,
    Priority,
    ReadinessCriterion,
    Stage,
)

S = ApplicationState


def queue_order() -> tuple:
    """The analyst queue's order: critical fixes first, by their review due time (R6.5), those
    without one after; then the longest waiting. The same expressions make the index below,
    so that the queue is read from it rather than sorted (written without NULLS LAST, which
    SQLite's indexes do not take)."""
    fast_track = models.Case(
        models.When(kind=ApplicationKind.CRITICAL_FIX, then=models.Value(0)),
        default=models.Value(1),
    )
    no_due_time = models.Case(
        models.When(review_due_at__isnull=True, then=models.Value(1)),
        default=models.Value(0),
    )
    return (
        fast_track.asc(),
        no_due_time.asc(),
        models.F("review_due_at").asc(),
        models.F("state_changed_at").asc(),
        models.F("id").asc(),
    )


class Application(
    RulesModelMixin, ConcurrentTransitionMixin, models.Model, metaclass=RulesModelBase
):
    """A certification request: one solution version taken through the programme's stages.

    `state` changes only through the transition methods below, and those set nothing but
    what moves with the state. The audit row (django-fsm-log), e-mails and tasks are the
    business of `workflow.services`, which calls a transition inside
    `transaction.atomic()` and queues side effects with `transaction.on_commit`. A stale copy
    cannot overwrite a newer state (ConcurrentTransitionMixin).
    """

    solution = models.ForeignKey(
        Solution, verbose_name=_("solution"), on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        SolutionVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ApplicationKind.choices, default=ApplicationKind.INITIAL
    )
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    motivation = models.TextField(
        _("why certify"),
        help_text=_("The customers' needs the solution covers and why it should be certified."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    # Stage 3: the DoD edition this request is checked against, pinned when review first starts.
    criteria_version = models.ForeignKey(
        "dod.CriteriaVersion",
        verbose_name=_("DoD edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Updates and critical fixes: the certified version this one replaces (R6.2).
    previous_version = models.ForeignKey(
        SolutionVersion,
        verbose_name=_("previous certified version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    compatibility_confirmed = models.BooleanField(
        _("backward compatibility confirmed by the partner"), default=False
    )
    compatibility_note = models.TextField(_("compatibility note"), blank=True)
    compatibility_verified = models.BooleanField(
        _("backward compatibility verified by the reviewer"), default=False
    )
    review_due_at = models.DateTimeField(_("review due"), null=True, blank=True)
    closed_in_stage = models.PositiveSmallIntegerField(
        _("closed in stage"), choices=Stage.choices, null=True, blank=True, editable=False
    )
    # Who works on it: set only by workflow.services.assignment, which keeps their history.
    assigned_analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("analyst"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    assigned_rnd_expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("R&D expert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certification request")
        verbose_name_plural = _("certification requests")
        permissions = [("decide_application", _("Can decide a request's priority and fate"))]
        indexes = [models.Index(*queue_order(), name="application_queue_order")]
        # "add" is asked with the solution: its partner files a request for it.
        rules_permissions = {
            "view": can_view,
            "add": is_own_partner_record,
            "submit": is_own_partner_record,
            "edit_draft": is_own_partner_record,
            "withdraw": is_own_partner_record,
            "decide": is_leader,
        }

    def __str__(self):
        return _("Request #%(pk)s: %(version)s") % {"pk": self.pk, "version": self.version}

    def get_absolute_url(self):
        return reverse("application_detail", kwargs={"pk": self.pk})

    @property
    def stage(self) -> Stage | None:
        return STAGE_OF_STATE.get(self.state)

    @property
    def stage_reached(self) -> Stage:
        """The stage shown on the progress bar: for a closed request, where it stopped."""
        return self.stage or Stage(self.closed_in_stage or Stage.PARTNER_REQUEST)

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_certified(self) -> bool:
        """Ended in success: the certification now lives on (stage 5, regular audit)."""
        return self.state == ApplicationState.CERTIFIED

    @property
    def tone(self) -> str:
        """The colour its state is shown in: success, failure and the rest look different."""
        if self.is_certified:
            return "success"
        if self.state == ApplicationState.DECLINED:
            return "danger"
        return "primary" if self.is_active else "secondary"

    def _moved(self):
        self.state_changed_at = timezone.now()

    def _closed(self):
        self.closed_in_stage = self.stage
        self._moved()

    # --- Stage 1: partner request -------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=can("workflow.submit_application"),
        conditions=[conditions.is_initial, conditions.solution_is_published],
        custom={"label": _("Submit")},
    )
    def submit(self, by=None, description=None):
        self.submitted_at = timezone.now()
        self._moved()

    # The partner edits the draft: the state stays, the timeline records what changed.
    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.DRAFT,
        target=S.DRAFT,
        permission=can("workflow.edit_draft_application"),
        custom={"label": _("Edit the request")},
    )
    def edit_draft(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.MEETING_SCHEDULED,
        permission=can("workflow.run_stage_one"),
        custom={"label": _("Schedule the set-up meeting")},
    )
    def schedule_meeting(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.MEETING_SCHEDULED,
        target=S.MEETING_SCHEDULED,
        permission=can("workflow.run_stage_one"),
        custom={"label": _("Reschedule the set-up meeting")},
    )
    def reschedule_meeting(self, by=None, description=None):
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.MEETING_SCHEDULED,
        target=S.READINESS_REVIEW,
        permission=can("workflow.run_stage_one"),
        custom={"label": _("Record the meeting")},
    )
    def hold_meeting(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.READINESS_REVIEW,
        target=S.AWAITING_APPROVAL,
        permission=can("workflow.run_stage_one"),
        conditions=[conditions.meeting_was_held, conditions.readiness_is_assessed],
        custom={"label": _("Accept")},
    )
    def accept(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.READINESS_REVIEW,
        target=S.DECLINED,
        permission=can("workflow.run_stage_one"),
        conditions=[conditions.meeting_was_held, conditions.readiness_is_assessed],
        custom={"label": _("Decline")},
    )
    def decline_readiness(self, by=None, description=None):
        self._closed()

    # --- Stage 2: approval by leaders ---------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.AWAITING_APPROVAL,
        target=S.AWAITING_MATERIALS,
        permission=can("workflow.decide_application"),
        conditions=[
            conditions.no_roadmap_conflict,
            conditions.approval_facts_complete,
            conditions.priority_is_set,
        ],
        custom={"label": _("Approve"), "settled_by_form": ("priority_is_set",)},
    )
    def approve(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.AWAITING_APPROVAL,
        target=S.DEFERRED,
        permission=can("workflow.decide_application"),
        conditions=[conditions.no_roadmap_conflict],
        custom={"label": _("Defer")},
    )
    def defer(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.DEFERRED,
        target=S.AWAITING_APPROVAL,
        permission=can("workflow.decide_application"),
        custom={"label": _("Take up again")},
    )
    def resume(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.AWAITING_APPROVAL, S.DEFERRED],
        target=S.DECLINED,
        permission=can("workflow.decide_application"),
        custom={"label": _("Decline")},
    )
    def decline_approval(self, by=None, description=None):
        self._closed()

    # --- Stage 3: quality certification --------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.DRAFT,
        target=S.AWAITING_MATERIALS,
        permission=can("workflow.submit_application"),
        conditions=[conditions.is_update, conditions.solution_is_certified],
        custom={"label": _("Open the update")},
    )
    def open_update(self, by=None, description=None):
        self.submitted_at = timezone.now()
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.AWAITING_MATERIALS, S.CHANGES_REQUESTED],
        target=S.SUBMITTED_FOR_REVIEW,
        permission=can("workflow.submit_application"),
        conditions=[
            conditions.required_materials_present,
            conditions.findings_answered,
            conditions.compatibility_confirmed,
        ],
        custom={"label": _("Submit for review")},
    )
    def submit_materials(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.SUBMITTED_FOR_REVIEW,
        target=S.IN_REVIEW,
        permission=can("dod.run_quality_review"),
        custom={"label": _("Start the review")},
    )
    def start_review(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.IN_REVIEW,
        target=S.CHANGES_REQUESTED,
        permission=can("dod.run_quality_review"),
        conditions=[conditions.round_has_findings],
        custom={"label": _("Request changes")},
    )
    def request_changes(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.IN_REVIEW,
        target=S.QUALITY_PASSED,
        permission=can("dod.run_quality_review"),
        conditions=[
            conditions.is_initial,
            conditions.all_criteria_passed,
            conditions.no_blocking_findings,
        ],
        custom={"label": _("Pass quality certification")},
    )
    def pass_quality(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.IN_REVIEW,
        target=S.CERTIFIED,
        permission=can("dod.run_quality_review"),
        conditions=[
            conditions.is_update,
            conditions.all_criteria_passed,
            conditions.no_blocking_findings,
            conditions.compatibility_verified,
        ],
        custom={"label": _("Pass the update")},
    )
    def pass_update(self, by=None, description=None):
        self._closed()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.SUBMITTED_FOR_REVIEW, S.IN_REVIEW, S.CHANGES_REQUESTED],
        target=S.DECLINED,
        permission=can("dod.run_quality_review"),
        custom={"label": _("Decline")},
    )
    def decline_quality(self, by=None, description=None):
        self._closed()

    # --- Stage 4: support certification --------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.QUALITY_PASSED,
        target=S.SUPPORT_REVIEW,
        permission=can("workflow.submit_application"),
        conditions=[conditions.support_declared],
        custom={"label": _("Submit the support standards")},
    )
    def submit_support(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.SUPPORT_REVIEW,
        target=S.REMEDIATION,
        permission=can("support_audit.run_support_audit"),
        conditions=[conditions.nonconformities_with_plan],
        custom={"label": _("Send the nonconformity report")},
    )
    def report_nonconformities(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.REMEDIATION,
        target=S.SUPPORT_REVIEW,
        permission=can("workflow.submit_application"),
        conditions=[conditions.remediation_done, conditions.support_declared],
        custom={"label": _("Ask for the re-audit")},
    )
    def request_reaudit(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.SUPPORT_REVIEW,
        target=S.SUPPORT_PASSED,
        permission=can("support_audit.run_support_audit"),
        conditions=[conditions.support_declared, conditions.support_audit_passed],
        custom={"label": _("Pass support certification")},
    )
    def pass_support(self, by=None, description=None):
        self._moved()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=S.SUPPORT_PASSED,
        target=S.CERTIFIED,
        permission=can("support_audit.run_support_audit"),
        custom={"label": _("Certify")},
    )
    def certify(self, by=None, description=None):
        self._closed()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=[S.SUPPORT_REVIEW, S.REMEDIATION],
        target=S.DECLINED,
        permission=can("support_audit.run_support_audit"),
        custom={"label": _("Decline")},
    )
    def decline_support(self, by=None, description=None):
        self._closed()

    # --- Any stage ----------------------------------------------------------------------

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=list(ACTIVE_STATES),
        target=S.WITHDRAWN,
        permission=can("workflow.withdraw_application"),
        custom={"label": _("Withdraw")},
    )
    def withdraw(self, by=None, description=None):
        self._closed()


class SetupMeeting(models.Model):
    """The set-up meeting an analyst holds with the partner before the readiness decision."""

    application = models.OneToOneField(
        Application,
        verbose_name=_("certification request"),
        on_delete=models.CASCADE,
        related_name="meeting",
    )
    scheduled_for = models.DateTimeField(_("date and time"))
    location = models.CharField(
        _("where"), max_length=300, help_text=_("A room, or the link to a video call.")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    notes = models.TextField(_("meeting notes"), blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("set-up meeting")
        verbose_name_plural = _("set-up meetings")

    def __str__(self):
        return str(self.application)


class ReadinessScore(models.Model):
    """An analyst's score of one readiness criterion of regulation 1.1 (R1.3)."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("certification request"),
        on_delete=models.CASCADE,
        related_name="readiness_scores",
    )
    criterion = models.CharField(_("criterion"), max_length=40, choices=ReadinessCriterion.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)

    class Meta:
        ordering = ["application", "criterion"]
        verbose_name = _("readiness score")
        verbose_name_plural = _("readiness scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self):
        return f"{self.get_criterion_display()}: {self.score}"


class ApprovalFacts(models.Model):
    """What the leaders weigh in stage 2 (R2.2–R2.5), prepared by analysts or leaders."""

    application = models.OneToOneField(
        Application,
        verbose_name=_("certification request"),
        on_delete=models.CASCADE,
        related_name="approval_facts",
    )
    overlapping_solutions = models.ManyToManyField(
        Solution,
        verbose_name=_("overlapping solutions"),
        blank=True,
        related_name="+",
        help_text=_("Marketplace solutions, certified or not, that cover the same need."),
    )
    overlap_note = models.TextField(
        _("portfolio overlap"),
        help_text=_("How the solution relates to the Marketplace portfolio and to certified ones."),
    )
    roadmap_conflict = models.BooleanField(
        _("R&D plans similar functionality within a year"), default=False
    )
    roadmap_note = models.TextField(_("roadmap note"), blank=True)
    customer_requests = models.PositiveIntegerField(
        _("customer requests"),
        help_text=_("How many customers asked for this functionality."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stage-2 facts")
        verbose_name_plural = _("stage-2 facts")

    def __str__(self):
        return str(self.application)


class Notification(models.Model):
    """One e-mail sent about one recorded transition: makes the sending task idempotent."""

    state_log = models.ForeignKey(
        "django_fsm_log.StateLog",
        verbose_name=_("timeline entry"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient = models.EmailField(_("recipient"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["state_log", "recipient"], name="one_mail_per_event")
        ]

    def __str__(self):
        return f"{self.recipient} @ {self.sent_at:%Y-%m-%d %H:%M}"
