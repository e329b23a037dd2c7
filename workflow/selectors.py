"""Reads of solutions and requests, already filtered by what the user may see."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent, Solution
from catalogue.rules import visible
from catalogue.selectors import solutions_visible_to
from kpi.early_warnings import WarningText, warning_text
from kpi.models import Breach, KPIWarning
from kpi.periods import month_of, previous_month

from .enums import (
    ACTIVE_STATES,
    LEADER_QUEUE_STATES,
    STAGE_OF_STATE,
    ApplicationState,
    ReadinessCriterion,
)
from .materials import UPDATE_KINDS
from .models import Application, AssignmentEvent, Material, TimelineEntry
from .models.requests import queue_order


def applications_visible_to(user) -> QuerySet[Application]:
    """The requests `workflow.view_application` lets `user` see."""
    return visible(
        user,
        Application.objects.select_related("solution__partner", "version"),
        "solution__partner_id",
    )


def materials_visible_to(user) -> QuerySet[Material]:
    """The materials `workflow.view_material` lets `user` see."""
    return visible(
        user,
        Material.objects.select_related("application__solution__partner"),
        "application__solution__partner_id",
    )


def states_of_stage(stage: int) -> list[str]:
    return [state for state, s in STAGE_OF_STATE.items() if s == stage]


def _state_order():
    """The states in the programme's order (a request further on sorts after)."""
    return Case(*(When(state=state, then=Value(n)) for n, state in enumerate(ApplicationState)))


def _person_order(field: str) -> tuple:
    return (Lower(f"{field}__last_name"), Lower(f"{field}__first_name"), F(f"{field}__username"))


# The queue's columns and what sorting by each means ("-key" reverses). "next step" follows
# from the state.
QUEUE_SORTS = {
    "id": lambda: (F("id"),),
    "solution": lambda: (Lower("solution__name"), F("version__number")),
    "partner": lambda: (Lower("solution__partner__name"),),
    "marketplace": lambda: (F("solution__marketplace"),),
    "state": lambda: (_state_order(),),
    "priority": lambda: (F("priority"),),
    "waiting": lambda: (F("state_changed_at"),),
    "analyst": lambda: _person_order("assigned_analyst"),
    "rnd_expert": lambda: _person_order("assigned_rnd_expert"),
    "next": lambda: (_state_order(),),
}
# The waiting time grows as the state's start recedes: short waits first is the latest start.
_REVERSED_SORTS = {"waiting"}
# The assignee filter's fixed values, beside a team member's id.
ASSIGNED_TO_ME, UNASSIGNED = "me", "none"


def queue_sort(sort: str) -> tuple:
    """The order_by of a whitelisted sort key ("-" first: descending), the id breaking ties."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-") != (key in _REVERSED_SORTS)
    return tuple(
        expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        for expression in (*QUEUE_SORTS[key](), F("id"))
    )


def queue(
    user,
    *,
    stage: int | None = None,
    state: str = "",
    marketplace: str = "",
    priority: int | None = None,
    search: str = "",
    include_closed: bool = False,
    assignee: str = "",
    sort: str = "",
) -> QuerySet[Application]:
    """The analyst queue: requests waiting longest first (or by `sort`, a key of QUEUE_SORTS),
    with the user's filters. `assignee` is ASSIGNED_TO_ME (as analyst or R&D expert, leaving
    out the partners the user has a conflict of interest with), UNASSIGNED (no analyst) or a
    team member's id."""
    qs = (
        applications_visible_to(user)
        .select_related("assigned_analyst", "assigned_rnd_expert")
        .exclude(state=ApplicationState.DRAFT)
    )
    # "Open requests" by default; a stage with no open state (5: the certified, in regular
    # audit) shows its requests rather than nothing.
    stage_has_open_states = not stage or any(s in ACTIVE_STATES for s in states_of_stage(stage))
    if not include_closed and not state and stage_has_open_states:
        qs = qs.filter(state__in=ACTIVE_STATES)
    if stage:
        qs = qs.filter(state__in=states_of_stage(stage))
    if state:
        qs = qs.filter(state=state)
    if marketplace:
        qs = qs.filter(solution__marketplace=marketplace)
    if priority:
        qs = qs.filter(priority=priority)
    if search:
        qs = qs.filter(
            Q(solution__name__icontains=search)
            | Q(solution__slug__icontains=search)
            | Q(solution__partner__name__icontains=search)
        )
    if assignee == ASSIGNED_TO_ME:
        qs = qs.filter(Q(assigned_analyst=user) | Q(assigned_rnd_expert=user)).exclude(
            solution__partner_id__in=user.conflicted_partner_ids()
        )
    elif assignee == UNASSIGNED:
        qs = qs.filter(assigned_analyst__isnull=True)
    elif assignee:
        qs = qs.filter(Q(assigned_analyst_id=assignee) | Q(assigned_rnd_expert_id=assignee))
    if sort:
        return qs.order_by(*queue_sort(sort))
    # Critical fixes first, by their review due time (R6.5); then the longest waiting: the
    # order of the index application_queue_order. The readiness criteria scored tell the
    # next step of a request in readiness review (workflow.guidance).
    return qs.annotate(scored_criteria=Count("readiness_scores")).order_by(*queue_order())


def assignment_history(application: Application) -> QuerySet[AssignmentEvent]:
    """Who was assigned to the request and unassigned, by whom, oldest first."""
    return application.assignment_events.select_related("assignee", "previous", "by")


# A request that ended without a certificate; a certified one lives on as its certification.
CLOSED_STATES = (ApplicationState.DECLINED, ApplicationState.WITHDRAWN)


def partner_dashboard(user) -> dict[str, QuerySet]:
    """The partner's dashboard, three groups a page at a time: the open requests and the
    closed ones (declined, withdrawn), the latest moved first, and the certified solutions by
    name (their badge read with `badge_states`)."""
    qs = applications_visible_to(user).order_by("-state_changed_at", "-pk")
    return {
        "open": qs.filter(state__in=ACTIVE_STATES),
        "certified": certifications_visible_to(user).order_by("solution__name", "pk"),
        "closed": qs.filter(state__in=CLOSED_STATES),
    }


def certifications_visible_to(user) -> QuerySet[Certification]:
    """The certifications of the solutions `user` may see, with their solution and version."""
    return visible(
        user,
        Certification.objects.select_related("solution__partner", "version", "application"),
        "solution__partner_id",
    )


# The badge's states as a partner reads them: "at risk" also when the badge is still plainly
# certified but a KPI of a month not judged yet already misses its target (an early warning).
class BadgeState:
    CERTIFIED = "certified"
    AT_RISK = "at_risk"
    REVOKED = "revoked"


# The history event that put a badge in its status, by status.
STATUS_EVENT = {
    CertificationStatus.AT_RISK: CertificationEvent.Action.AT_RISK,
    CertificationStatus.REVOKED: CertificationEvent.Action.REVOKED,
}


@dataclass
class KPIAlert:
    """A KPI of a month not judged yet that misses its target so far."""

    period: str
    text: WarningText


@dataclass
class Badge:
    """A certification as its partner is shown it: its state, the event that put it there
    (revoked, marked at risk) with its reason and date, and the KPIs failing so far."""

    certification: Certification
    state: str
    event: CertificationEvent | None = None
    warnings: list[KPIAlert] = field(default_factory=list)
    # How a badge at risk is kept or a revoked one won back, set by the page (guidance.way_back).
    way_back: str = ""

    @property
    def solution(self) -> Solution:
        return self.certification.solution

    @property
    def needs_attention(self) -> bool:
        return self.state != BadgeState.CERTIFIED

    @property
    def since(self) -> datetime:
        return self.event.at if self.event else self.certification.since


def badge_states(certifications) -> list[Badge]:
    """Each certification's `Badge` (two queries whatever their number: the status events and
    the early warnings of this month and the last not yet judged)."""
    certifications = list(certifications)
    events: dict[int, CertificationEvent] = {}
    flagged = [c.pk for c in certifications if c.status in STATUS_EVENT]
    if flagged:
        for event in CertificationEvent.objects.filter(
            certification_id__in=flagged, action__in=list(STATUS_EVENT.values())
        ).order_by("certification_id", "-at", "-pk"):
            events.setdefault(event.certification_id, event)
    warnings = _open_warnings([c.solution_id for c in certifications if c.badge_on])
    badges = []
    for certification in certifications:
        event = events.get(certification.pk)
        if event is not None and event.action != STATUS_EVENT[certification.status]:
            event = None
        alerts = warnings.get(certification.solution_id, []) if certification.badge_on else []
        if certification.status == CertificationStatus.REVOKED:
            state = BadgeState.REVOKED
        elif certification.status == CertificationStatus.AT_RISK or alerts:
            state = BadgeState.AT_RISK
        else:
            state = BadgeState.CERTIFIED
        badges.append(Badge(certification, state, event, alerts))
    return badges


def badges_needing_attention(user, size: int) -> tuple[list[Badge], bool]:
    """The first `size` badges of `user`'s solutions that are revoked or at risk (a KPI off
    target so far counts), revoked first, and whether there are more (four queries)."""
    warned = _unjudged_warnings(KPIWarning.objects.filter(solution_id=OuterRef("solution_id")))
    revoked_first = Case(
        When(status=CertificationStatus.REVOKED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    flagged = list(
        certifications_visible_to(user)
        .filter(
            Q(status__in=list(STATUS_EVENT))
            | Q(Exists(warned), status=CertificationStatus.CERTIFIED)
        )
        .order_by(revoked_first, "solution__name", "pk")[: size + 1]
    )
    return badge_states(flagged[:size]), len(flagged) > size


def _unjudged_warnings(warnings: QuerySet[KPIWarning]) -> QuerySet[KPIWarning]:
    """The warnings of this month and the last that no breach has judged yet: a month older
    than that is judged, and its breach (or none) is what counts."""
    now = timezone.now()
    judged = Breach.objects.filter(
        solution_id=OuterRef("solution_id"), period=OuterRef("period"), kpi=OuterRef("kpi")
    )
    return warnings.filter(period__in=[month_of(now), previous_month(now)]).exclude(Exists(judged))


def _open_warnings(solution_ids) -> dict[int, list[KPIAlert]]:
    """The KPIs warned of for this month and the last that no breach has judged yet, once per
    solution, month and KPI (the warning is recorded once per person), by solution."""
    if not solution_ids:
        return {}
    alerts: dict[int, list[KPIAlert]] = {}
    seen = set()
    for warning in _unjudged_warnings(
        KPIWarning.objects.filter(solution_id__in=solution_ids)
    ).order_by("solution_id", "-period", "kpi", "recorded_at", "pk"):
        key = (warning.solution_id, warning.period, warning.kpi)
        if key not in seen:
            seen.add(key)
            alerts.setdefault(warning.solution_id, []).append(
                KPIAlert(warning.period, warning_text(warning))
            )
    return alerts


def badge_of(application: Application) -> Badge | None:
    """The badge of a certified request's solution, or None when it has no certification."""
    if not application.is_certified:
        return None
    certification = (
        Certification.objects.select_related("solution", "version")
        .filter(solution_id=application.solution_id)
        .first()
    )
    return badge_states([certification])[0] if certification else None


def decisions_waiting(user) -> QuerySet[Application]:
    """The requests waiting for a leader's decision (stage 2: approve, defer or decline; take
    a deferred one up again), awaiting a decision before deferred ones, the longest waiting
    first; with their readiness scores and stage-2 facts."""
    deferred_last = Case(
        When(state=ApplicationState.DEFERRED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        applications_visible_to(user)
        .filter(state__in=LEADER_QUEUE_STATES)
        .select_related("approval_facts")
        .prefetch_related("readiness_scores", "approval_facts__overlapping_solutions")
        .order_by(deferred_last, "state_changed_at", "pk")
    )


def timeline(application: Application) -> QuerySet[TimelineEntry]:
    """Every recorded step of the request, oldest first, each with its `comment_text`."""
    return (
        TimelineEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=application.pk,
        )
        .select_related("by", "content_type", "system_text")
        .order_by("timestamp", "pk")
    )


def overlap_candidates(application: Application) -> QuerySet[Solution]:
    """Other published solutions in the same business area (R2.2), for the leaders.

    Each carries `in_certification`: whether a request of it got past the leaders' approval.
    """
    past_approval = [state for state, stage in STAGE_OF_STATE.items() if stage >= 3]
    return (
        Solution.objects.filter(is_published=True, category__iexact=application.solution.category)
        .exclude(pk=application.solution_id)
        .select_related("partner")
        .annotate(
            in_certification=Exists(
                Application.objects.filter(solution=OuterRef("pk"), state__in=past_approval)
            )
        )
        .order_by("-in_certification", "name")
    )


def latest_materials(application: Application) -> dict[str, Material]:
    """The newest revision of each material of the request, by kind."""
    latest: dict[str, Material] = {}
    for material in application.materials.select_related("uploaded_by").order_by(
        "kind", "-revision"
    ):
        latest.setdefault(material.kind, material)
    return latest


def material_revisions(application: Application) -> dict[str, list[Material]]:
    revisions: dict[str, list[Material]] = {}
    for material in application.materials.select_related("uploaded_by").order_by(
        "kind", "-revision"
    ):
        revisions.setdefault(material.kind, []).append(material)
    return revisions


def time_in_states(application: Application) -> list[tuple[str, timedelta]]:
    """How long the request spent in each state it passed through, in order (for dashboards).

    Derived from the timeline, so it can never disagree with it; the current state counts
    up to now.
    """
    entries = list(timeline(application))
    spans: list[tuple[str, timedelta]] = []
    if not entries:  # a draft, or a record placed in its state without a timeline
        return spans
    for entry, following in zip(entries, [*entries[1:], None], strict=True):
        until = following.timestamp if following else timezone.now()
        if spans and spans[-1][0] == entry.state:
            spans[-1] = (entry.state, spans[-1][1] + (until - entry.timestamp))
        else:
            spans.append((entry.state, until - entry.timestamp))
    return spans


def partner_solutions_short_list(user, size: int) -> tuple[list[Solution], bool]:
    """A few of the partner's solutions for the empty dashboard, and whether there are more."""
    solutions = list(solutions_visible_to(user).order_by("name", "pk")[: size + 1])
    return solutions[:size], len(solutions) > size


def solution_requests(user, solution: Solution) -> QuerySet[Application]:
    """The requests of a solution this user may see."""
    return applications_visible_to(user).filter(solution=solution)


def readiness_rows(application: Application) -> list[tuple]:
    """Each readiness criterion with its score, None where it is not scored yet."""
    scores = {s.criterion: s for s in application.readiness_scores.select_related("assessed_by")}
    return [(c, scores.get(c.value)) for c in ReadinessCriterion]


def scored_rows(application: Application) -> list[tuple]:
    """`readiness_rows` from the scores prefetched with the request (no query)."""
    scores = {s.criterion: s for s in application.readiness_scores.all()}
    return [(c, scores.get(c.value)) for c in ReadinessCriterion]


def readiness_scores(application: Application) -> dict:
    """The readiness scores given so far, by criterion."""
    return {s.criterion: s for s in application.readiness_scores.all()}


def meeting_initial(application: Application) -> dict:
    """The set-up meeting as scheduled so far, to prefill its form."""
    meeting = getattr(application, "meeting", None)
    if meeting is None:
        return {}
    return {
        "scheduled_for": meeting.scheduled_for,
        "location": meeting.location,
        "agenda": meeting.agenda,
    }


def approval_facts_initial(application: Application) -> dict:
    """The stage-2 facts recorded so far, to prefill their form."""
    facts = getattr(application, "approval_facts", None)
    if facts is None:
        return {}
    return {
        "overlap_note": facts.overlap_note,
        "overlapping_solutions": list(facts.overlapping_solutions.all()),
        "roadmap_conflict": facts.roadmap_conflict,
        "roadmap_note": facts.roadmap_note,
        "customer_requests": facts.customer_requests,
    }


def carry_sources(application: Application) -> tuple:
    """For an update: the certification and the latest materials it was granted with."""
    if application.kind not in UPDATE_KINDS:
        return None, {}
    certification = (
        Certification.objects.select_related("application", "version")
        .filter(solution_id=application.solution_id)
        .first()
    )
    if certification is None or certification.application_id == application.pk:
        return certification, {}
    return certification, latest_materials(certification.application)


def certification_of(solution: Solution):
    """The solution's certification with its version and request, or None."""
    return (
        Certification.objects.select_related("version", "application")
        .filter(solution=solution)
        .first()
    )


def latest_transition(application: Application, transition: str) -> TimelineEntry | None:
    """The timeline entry of the latest time `transition` was taken on the request."""
    return (
        TimelineEntry.objects.for_(application)
        .filter(transition=transition)
        .select_related("by", "system_text")
        .order_by("-timestamp", "-pk")
        .first()
    )
