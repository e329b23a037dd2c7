from celery import shared_task
from django.utils.dateparse import parse_datetime

from certportal.retrying import RETRY_ON_TRANSIENT_ERRORS

from . import digests, services


def _run_or_look_again(task, message_ids: list[int]) -> int:
    """Run the messages one after the other; how many were delivered.

    A message claimed by another run is left to it; but this task may be that run delivered
    again after its process was killed (the claim then never ends by itself): the task looks
    again once the last claim is stale, and runs what nobody finished (the rest is skipped).
    """
    delivered, waits = 0, []
    for message_id in message_ids:
        if services.run(message_id):
            delivered += 1
        elif not task.request.is_eager:
            wait = services.claimed_for(message_id)
            if wait is not None:
                waits.append(wait)
    if waits:
        raise task.retry(countdown=max(waits))
    return delivered


@shared_task(bind=True, name="outbox.run", **RETRY_ON_TRANSIENT_ERRORS)
def run_message(self, message_id: int) -> bool:
    """Run one outbox message (handed over after its step committed)."""
    return _run_or_look_again(self, [message_id]) == 1


@shared_task(bind=True, name="outbox.run_many", **RETRY_ON_TRANSIENT_ERRORS)
def run_messages(self, message_ids: list[int]) -> int:
    """Run several outbox messages handed over together (`services.dispatch_keys`), each as
    `run_message` runs one; how many were delivered."""
    return _run_or_look_again(self, message_ids)


@shared_task(name="outbox.deliver_pending")
def deliver_pending() -> dict[str, int]:
    """Every minute: run what the broker never took, what failed and is due again, and what a
    lost worker left half-done."""
    return services.deliver_pending()


@shared_task(name="outbox.send_digests")
def send_digests(*, now: str | None = None) -> int:
    """Every day: each person's digest of the messages they chose to receive that way; a
    second run the same day records nothing."""
    return digests.digests_send(now=parse_datetime(now) if now else None)


@shared_task(name="outbox.deliver_digest")
def deliver_digest(*, digest_id: int) -> bool:
    """E-mail one recorded digest (through the outbox); nothing when it was sent already."""
    return digests.digest_deliver(digest_id)
