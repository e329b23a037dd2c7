from celery import shared_task

from certportal.retrying import RETRY_ON_TRANSIENT_ERRORS

from . import services


@shared_task(name="outbox.run", **RETRY_ON_TRANSIENT_ERRORS)
def run_message(message_id: int) -> bool:
    """Run one outbox message (handed over after its step committed)."""
    return services.run(message_id)


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
