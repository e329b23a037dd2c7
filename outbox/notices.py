"""The recipients' choices, applied when a message is recorded (accounts.notifications).

`notify` records an e-mail task like `enqueue`, in the step's transaction, and asks each
recipient's choice for the message's kind there and then: immediately → the task sends to
them as before; none → a skipped notice, nothing sent; digest → a held notice, the e-mail as
written now, for the daily digest (outbox.digests). A mandatory kind is always immediate.
When everyone is immediate the message is exactly `enqueue`'s; when nobody is, it is recorded
as skipped and never run; otherwise the task's `recipients` argument lists who is sent to now.
"""

from collections.abc import Callable

from accounts.enums import NotificationChoice
from accounts.notifications import choices_for, is_mandatory

from .models import Message, Notice
from .services import enqueue, enqueue_many, record

Render = Callable[[str, str], tuple[str, str]]  # (address, language) → subject, body
Decision = Notice.Decision
DECIDED = {NotificationChoice.DIGEST: Decision.HELD, NotificationChoice.NONE: Decision.SKIPPED}


def notify(
    task: str,
    *,
    kind: str,
    recipients: dict[str, str],
    render: Render,
    key: str | None = None,
    **kwargs,
) -> Message:
    """Record `task(**kwargs)`, an e-mail of `kind` to `recipients` (address → language), as
    each recipient chose to receive that kind. A `key` already recorded is not recorded
    again."""
    if is_mandatory(kind) or not recipients:
        return enqueue(task, key=key, **kwargs)
    later = held_back(kind, recipients)
    if not later:
        return enqueue(task, key=key, **kwargs)
    now = [email for email in recipients if email not in later]
    if now:
        message, created = record(task, key=key, kwargs={**kwargs, "recipients": now})
    else:
        message, created = record(task, key=key, kwargs=kwargs, state=Message.State.SKIPPED)
    if created:
        Notice.objects.bulk_create(
            [
                notice(message, kind, email, user_id, decision, render(email, recipients[email]))
                for email, (user_id, decision) in sorted(later.items())
            ]
        )
    return message


def held_back(kind: str, emails) -> dict[str, tuple[int, str]]:
    """The addresses among `emails` whose person chose a digest or none for `kind`: address →
    (user id, the notice's decision). Nobody for a mandatory kind."""
    if is_mandatory(kind):
        return {}
    return {
        email: (user_id, DECIDED[choice])
        for email, (user_id, choice) in choices_for(kind, emails).items()
        if choice in DECIDED
    }


def notice(
    message: Message,
    kind: str,
    email: str,
    user_id: int,
    decision: str,
    text: tuple[str, str],
) -> Notice:
    """An unsaved notice: one person's copy (subject, body) of `message`, held or skipped."""
    subject, body = text
    return Notice(
        message=message,
        user_id=user_id,
        recipient=email,
        kind=kind,
        decision=decision,
        subject=subject[:255],
        body=body,
    )


def notify_many(
    task: str, *, kind: str, messages: list[tuple[str, dict, Callable[[], dict[str, str]], Render]]
) -> None:
    """`notify` of many messages of `task`, each (key, kwargs, its recipients, render). A
    mandatory kind asks nobody's choice: the messages are recorded together (`enqueue_many`)."""
    if is_mandatory(kind):
        enqueue_many(task, [(key, kwargs) for key, kwargs, _people, _render in messages])
        return
    for key, kwargs, people, render in messages:
        notify(task, kind=kind, recipients=people(), render=render, key=key, **kwargs)


def only(recipients: dict[str, str], chosen: list[str] | None) -> dict[str, str]:
    """The recipients a task sends to now: all of them, or those its message lists."""
    if chosen is None:
        return recipients
    chosen = {email.lower() for email in chosen}
    return {email: language for email, language in recipients.items() if email.lower() in chosen}
