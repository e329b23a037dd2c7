from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from applications.models import CertificationEvent, Solution
from applications.notifications import badge_recipients, render_badge_message


@shared_task(name="support_audit.notify_certification_event")
def notify_certification_event(*, event_id: int) -> int:
    """Tell the people its route names (BADGE_ROUTES) about a change of a badge; once."""
    with transaction.atomic():
        event = (
            # Only the event's row is locked: PostgreSQL refuses FOR UPDATE on the outer join
            # to an actor that may be empty (a scheduled job).
            CertificationEvent.objects.select_for_update(of=("self",))
            .select_related("certification__solution", "version", "actor")
            .get(pk=event_id)
        )
        if event.notified_at is not None:
            return 0
        sent = 0
        for email, language in badge_recipients(event).items():
            subject, body = render_badge_message(event, language)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            sent += 1
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return sent


@shared_task(name="support_audit.notify_escalation")
def notify_escalation(
    *, solution_id: int, level: int, reference: str, recipients: list[str]
) -> int:
    solution = Solution.objects.select_related("partner").get(pk=solution_id)
    context = {"solution": solution, "level": level, "reference": reference}
    subject = render_to_string("support_audit/email/escalation_subject.txt", context)
    body = render_to_string("support_audit/email/escalation_body.txt", context)
    for email in recipients:
        send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
    return len(recipients)


@shared_task(name="support_audit.deliver_reminder")
def deliver_reminder(*, reminder_id: int) -> bool:
    """E-mail one recorded reminder (through the outbox); nothing when it was sent already."""
    from .reminders import reminder_deliver

    return reminder_deliver(reminder_id)


@shared_task(name="support_audit.send_reminders")
def send_reminders(*, now: str | None = None) -> int:
    """Today's reminders, one digest per person (run daily), recorded and handed to the
    outbox; a second run the same day records nothing."""
    from django.utils.dateparse import parse_datetime

    from .reminders import reminders_send

    return reminders_send(now=parse_datetime(now) if now else None)
