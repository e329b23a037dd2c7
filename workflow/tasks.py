from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from outbox.notices import only

from .models import Application, AssignmentEvent, Notification, TimelineEntry
from .notifications import recipients_for, render_assignment, render_message
from .reminders import reminders_send


@shared_task(name="workflow.notify_transition")
def notify_transition(*, state_log_id: int, recipients: list[str] | None = None) -> int:
    """E-mail the people concerned by one recorded step (those of `recipients` when the
    message lists who chose to hear at once, outbox.notices); returns how many were sent.

    Idempotent: a recipient already mailed about this step is skipped, so a retried or
    duplicated task sends nothing twice.
    """
    log = TimelineEntry.objects.select_related("content_type", "system_text").get(pk=state_log_id)
    application = Application.objects.select_related("solution", "version").get(pk=log.object_id)
    sent = 0
    people = only(recipients_for(application, log.transition), recipients)
    for email, language in people.items():
        subject, body = render_message(application, log, language)
        try:
            with transaction.atomic():
                Notification.objects.create(state_log=log, recipient=email)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        except IntegrityError:
            continue
        sent += 1
    return sent


@shared_task(name="workflow.notify_assignment")
def notify_assignment(*, event_id: int, recipients: list[str] | None = None) -> int:
    """E-mail the person a request was assigned to; 1 when sent, 0 when sent already.

    The event's row is locked while the e-mail goes and is marked in the same transaction, so
    a retried or duplicated task sends nothing twice.
    """
    with transaction.atomic():
        event = (
            AssignmentEvent.objects.select_for_update(of=("self",))
            .select_related("assignee", "by", "application__solution", "application__version")
            .get(pk=event_id)
        )
        if event.notified_at is not None or event.assignee is None or not event.assignee.email:
            return 0
        if not only({event.assignee.email: ""}, recipients):
            return 0  # the assignee chose a digest or no e-mail for assignments
        subject, body = render_assignment(event)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [event.assignee.email])
        AssignmentEvent.objects.filter(pk=event.pk).update(notified_at=timezone.now())
    return 1


@shared_task(name="workflow.send_reminders")
def send_reminders(*, now: str | None = None) -> int:
    """Today's reminders, one digest per person (run daily), recorded and handed to the
    outbox; a second run the same day records nothing."""
    return reminders_send(now=parse_datetime(now) if now else None)
