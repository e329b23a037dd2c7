"""Record what a step must send or start, and deliver it after commit, or later.

`enqueue` is called inside the step's transaction. After the commit the message is handed to
the broker; when the broker is down the step still succeeds and the message waits. The sweep
(`deliver_pending`, every minute and as a command) runs whatever is due, in its own process,
with back-off. Every task run through the outbox is idempotent, so a message run twice (a
worker killed half-way, a sweep racing a worker) sends nothing twice.
"""

import logging
import math
from datetime import datetime, timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Message

logger = logging.getLogger(__name__)
State = Message.State


def enqueue(task: str, *, key: str | None = None, **kwargs) -> Message:
    """Record `task(**kwargs)` in the current transaction and hand it to the broker once the
    transaction commits. A `key` already recorded is not recorded again."""
    message, _created = record(task, key=key, kwargs=kwargs)
    return message


def record(
    task: str, *, key: str | None, kwargs: dict, state: str = State.PENDING
) -> tuple[Message, bool]:
    """`enqueue`'s record: the message and whether it is new. A new pending message is handed
    to the broker after the commit; one in another state (skipped) is only recorded."""
    if key is None:
        message, created = Message.objects.create(task=task, kwargs=kwargs, state=state), True
    else:
        message, created = Message.objects.get_or_create(
            key=key, defaults={"task": task, "kwargs": kwargs, "state": state}
        )
    if created and state == State.PENDING:
        # robust: nothing the broker does after the commit can turn the step into an error.
        transaction.on_commit(partial(dispatch, message.pk), robust=True)
    return message, created


def enqueue_many(task: str, messages: list[tuple[str, dict]]) -> None:
    """`enqueue` of many messages of `task` at once, each (key, kwargs): recorded in the current
    transaction in one INSERT (a key already recorded is not recorded again) and handed to the
    broker together once the transaction commits."""
    if not messages:
        return
    Message.objects.bulk_create(
        [Message(task=task, key=key, kwargs=kwargs) for key, kwargs in messages],
        ignore_conflicts=True,
    )
    keys = [key for key, _kwargs in messages]
    transaction.on_commit(partial(dispatch_keys, keys), robust=True)


# Messages handed to the broker together, as one task (`outbox.run_many`) that runs them one
# after the other: a monthly job's hundreds of badge e-mails cost a few publishes, not one each.
DISPATCH_BATCH = 50


def dispatch_keys(keys: list[str]) -> int:
    """Hand the pending messages of these keys to the broker, DISPATCH_BATCH to a task; how
    many it took. When the broker refuses, the messages not taken wait for the sweep."""
    ids = list(
        Message.objects.filter(key__in=keys, state=State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _hand_over(ids) if ids else 0


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 1, 2, 4 … minutes, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def dispatch(message_id: int) -> bool:
    """Hand a message to the broker; True if it took it. A broker that is down leaves it
    pending for the sweep."""
    return _hand_over([message_id]) == 1


def _hand_over(ids: list[int]) -> int:
    """Publish these messages: one `outbox.run` task for a single message, one `outbox.run_many`
    per DISPATCH_BATCH otherwise; how many the broker took. Those it refused are pending again,
    after a back-off, for the sweep."""
    # outbox.tasks imports this module, so not at the top.
    from .tasks import run_message, run_messages  # noqa: PLC0415

    # Marked first: a worker (or an eager run) may take a message before apply_async returns.
    Message.objects.filter(pk__in=ids, state=State.PENDING).update(
        state=State.SENT, dispatched_at=timezone.now()
    )
    taken = 0
    try:
        if len(ids) == 1:
            run_message.apply_async(args=[ids[0]])
            taken = 1
        else:
            with current_app.producer_or_acquire() as producer:
                for start in range(0, len(ids), DISPATCH_BATCH):
                    batch = ids[start : start + DISPATCH_BATCH]
                    run_messages.apply_async(args=[batch], producer=producer)
                    taken += len(batch)
    except Exception as error:  # the broker is down or refused: the sweep tries again
        logger.warning(
            "Outbox: %s messages wait, the broker refused them (%s)", len(ids) - taken, error
        )
        Message.objects.filter(pk__in=ids[taken:], state=State.SENT).update(
            state=State.PENDING,
            next_attempt_at=timezone.now() + backoff(1),
            last_error=f"broker: {error}",
        )
    return taken


def _stale(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)


def run(message_id: int, now: datetime | None = None) -> bool:
    """Run one message's task here and now, unless another process is running it; True when
    it was delivered."""
    now = now or timezone.now()
    claimable = Q(state__in=[State.PENDING, State.SENT]) | Q(
        state=State.RUNNING, claimed_at__lt=_stale(now)
    )
    if not Message.objects.filter(claimable, pk=message_id).update(
        state=State.RUNNING, claimed_at=now
    ):
        return False  # done already, failed for good, or being run elsewhere
    message = Message.objects.get(pk=message_id)
    try:
        _task(message.task)(**message.kwargs)
    except Exception as error:
        attempts = message.attempts + 1
        failed = attempts >= settings.OUTBOX_MAX_ATTEMPTS
        logger.warning(
            "Outbox message %s (%s) failed, attempt %s: %s",
            message.pk,
            message.task,
            attempts,
            error,
        )
        Message.objects.filter(pk=message.pk).update(
            state=State.FAILED if failed else State.PENDING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=f"{type(error).__name__}: {error}",
        )
        return False
    Message.objects.filter(pk=message.pk).update(
        state=State.DONE, attempts=message.attempts + 1, done_at=timezone.now(), last_error=""
    )
    return True


def claimed_for(message_id: int, now: datetime | None = None) -> int | None:
    """Whole seconds until just after the claim of a message being run becomes stale (anyone
    may run it again then); None when it is not being run."""
    now = now or timezone.now()
    claimed_at = (
        Message.objects.filter(pk=message_id, state=State.RUNNING)
        .values_list("claimed_at", flat=True)
        .first()
    )
    if claimed_at is None:
        return None
    return math.ceil(max((claimed_at - _stale(now)).total_seconds(), 0)) + 1


def _task(name: str):
    """The registered task `name`; in a web process the apps' task modules are imported on
    first use (a worker imports them when it starts)."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


def due(now: datetime | None = None):
    """Messages to run now: pending and due, or handed over or started so long ago that the
    broker or the worker must have lost them."""
    now = now or timezone.now()
    stale = _stale(now)
    return Message.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lte=now)
        | Q(state=State.SENT, dispatched_at__lt=stale)
        | Q(state=State.RUNNING, claimed_at__lt=stale)
    ).order_by("next_attempt_at", "pk")


def deliver_pending(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Run what is due, in this process; how many were delivered and how many still wait."""
    delivered = waiting = 0
    for message_id in list(due(now).values_list("pk", flat=True)[:limit]):
        if run(message_id, now=now):
            delivered += 1
        else:
            waiting += 1
    return {"delivered": delivered, "waiting": waiting}


def retry(messages) -> int:
    """Staff's "try again now" on failed or waiting messages."""
    return messages.exclude(state=State.DONE).update(
        state=State.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
