from celery import shared_task

from certportal.retrying import RETRY_ON_TRANSIENT_ERRORS

from . import services


@shared_task(bind=True, name="outbox.run", **RETRY_ON_TRANSIENT_ERRORS)
def run_message(self, message_id: int) -> bool:
    """Run one outbox message (handed over after its step committed).

    A message claimed by another run is left to it; but this task may be that run delivered
    again after its process was killed (the claim then never ends by itself): it looks again
    once the claim is stale, and runs the message if nobody finished it.
    """
    if services.run(message_id):
        return True
    wait = None if self.request.is_eager else services.claimed_for(message_id)
    if wait is not None:
        raise self.retry(countdown=wait)
    return False


@shared_task(name="outbox.run_many", **RETRY_ON_TRANSIENT_ERRORS)
def run_messages(message_ids: list[int]) -> int:
    """Run several outbox messages handed over together (`services.dispatch_keys`), one after
    the other, each exactly as `run_message` would; how many were delivered."""
    return sum(services.run(message_id) for message_id in message_ids)


@shared_task(name="outbox.deliver_pending")
def deliver_pending() -> dict[str, int]:
    """Every minute: run what the broker never took, what failed and is due again, and what a
    lost worker left half-done."""
    return services.deliver_pending()
