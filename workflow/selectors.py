"""Reads of solutions and requests, already filtered by what the user may see."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_fsm_log.models import StateLog

from catalogue.models import Certification, Solution
from catalogue.rules import visible
from catalogue.selectors import solutions_visible_to

from .enums import (
    ACTIVE_STATES,
    STAGE_OF_STATE,
    TERMINAL_STATES,
    ApplicationState,
    ReadinessCriterion,
)
from .materials import UPDATE_KINDS
from .models import Application, Material
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


def queue(
    user,
    *,
    stage: int | None = None,
    state: str = "",
    marketplace: str = "",
    priority: int | None = None,
    search: str = "",
    include_closed: bool = False,
) -> QuerySet[Application]:
    """The analyst queue: requests waiting longest first, with the user's filters."""
    qs = applications_visible_to(user).exclude(state=ApplicationState.DRAFT)
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
    # Critical fixes first, by their review due time (R6.5); then the longest waiting: the
    # order of the index application_queue_order. The readiness criteria scored tell the
    # next step of a request in readiness review (workflow.guidance).
    return qs.annotate(scored_criteria=Count("readiness_scores")).order_by(*queue_order())


def partner_dashboard(user) -> dict[str, QuerySet[Application]]:
    """The partner's own requests, open and closed apart, the latest moved first (the views
    show them a page at a time)."""
    qs = applications_visible_to(user).order_by("-state_changed_at", "-pk")
    return {
        "open": qs.exclude(state__in=TERMINAL_STATES),
        "closed": qs.filter(state__in=TERMINAL_STATES),
    }


def timeline(application: Application) -> QuerySet[StateLog]:
    """Every recorded step of the request, oldest first."""
    return (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=application.pk,
        )
        .select_related("by", "content_type")
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


def latest_transition(application: Application, transition: str) -> StateLog | None:
    """The timeline entry of the latest time `transition` was taken on the request."""
    return (
        StateLog.objects.for_(application)
        .filter(transition=transition)
        .select_related("by")
        .order_by("-timestamp", "-pk")
        .first()
    )
