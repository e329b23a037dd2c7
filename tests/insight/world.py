"""A small programme with known answers: requests with transitions at pinned times (the suite's
clock stands at 2026-11-18, so the default period is December 2025 – November 2026)."""

from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django_fsm_log.models import StateLog

from catalogue.enums import Marketplace
from tests.factories.workflow import ApplicationFactory, SolutionFactory
from workflow.enums import ApplicationState, Priority
from workflow.models import Application

S = ApplicationState


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def request_with_moves(moves, *, marketplace=Marketplace.CREATIO, priority=None, solution=None):
    """A request that went through `moves` ([(state, when), …], from the draft) and stands in
    the last one, filed at the first move's time."""
    solution = solution or SolutionFactory(marketplace=marketplace)
    application = ApplicationFactory(solution=solution, state=moves[-1][0], priority=priority)
    content_type = ContentType.objects.get_for_model(Application)
    source = S.DRAFT
    for state, when in moves:
        StateLog.objects.create(
            content_type=content_type,
            object_id=application.pk,
            source_state=source,
            state=state,
            transition="move",
            timestamp=when,
        )
        source = state
    Application.objects.filter(pk=application.pk).update(
        submitted_at=moves[0][1], state_changed_at=moves[-1][1]
    )
    return Application.objects.get(pk=application.pk)


def build() -> dict:
    """Requests A–F. Stage 1 was left by A (10 days), B (20) and C (30) in the period and by E
    (5 days) before it; stage 2 by A (4 days) and B (10, declined); stage 3 by A (31 days)."""
    a = request_with_moves(
        [
            (S.SUBMITTED, at(3, 1)),
            (S.READINESS_REVIEW, at(3, 5)),
            (S.AWAITING_APPROVAL, at(3, 11)),
            (S.AWAITING_MATERIALS, at(3, 15)),
            (S.SUBMITTED_FOR_REVIEW, at(4, 1)),
            (S.QUALITY_PASSED, at(4, 15)),
        ],
        priority=Priority.HIGH,
    )
    b = request_with_moves(
        [(S.SUBMITTED, at(3, 2)), (S.AWAITING_APPROVAL, at(3, 22)), (S.DECLINED, at(4, 1))],
        priority=Priority.MEDIUM,
    )
    c = request_with_moves(
        [(S.SUBMITTED, at(5, 1)), (S.AWAITING_APPROVAL, at(5, 31))],
        marketplace=Marketplace.TERRASOFT,
    )
    d = request_with_moves([(S.SUBMITTED, at(6, 10))], marketplace=Marketplace.TERRASOFT)
    e = request_with_moves(
        [
            (S.SUBMITTED, at(1, 5, 2025)),
            (S.AWAITING_APPROVAL, at(1, 10, 2025)),
            (S.AWAITING_MATERIALS, at(1, 20, 2025)),
            (S.QUALITY_PASSED, at(2, 20, 2025)),
            (S.CERTIFIED, at(3, 20, 2025)),
        ]
    )
    f = ApplicationFactory(state=S.DRAFT)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def requests(count: int) -> QuerySet:
    """`count` more requests, each filed and moved on once in the period."""
    for _ in range(count):
        request_with_moves([(S.SUBMITTED, at(7, 1)), (S.AWAITING_APPROVAL, at(7, 8))])
    return Application.objects.all()
