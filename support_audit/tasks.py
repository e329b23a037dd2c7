from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from catalogue.models.certification import CertificationEvent
from catalogue.models.solutions import Solution
from catalogue.notifications import badge_recipients, render_badge_message
from outbox.notices import only

from .reminders import reminder_deliver


@shared_task(name="support_audit.notify_certification_event")
def notify_certification_event(*, event_id: int, recipients: list[str] | None = None) -> int:
    """Tell the people its route names (BADGE_ROUTES) about a change of a badge; each once
    (those of `recipients` when the message lists who chose to hear at once, outbox.notices).

    Each address is e-mailed and recorded in a transaction of its own, on the locked event: a
    run interrupted half-way, or two runs at once, send nobody the message twice.
    """
    event = CertificationEvent.objects.select_related("certification__solution", "version").get(
        pk=event_id
    )
    if event.notified_at is not None:
        return 0
    sent = 0
    for email, language in only(badge_recipients(event), recipients).items():
        with transaction.atomic():
            told = _locked(event_id).notified_to
            if email in told:
                continue
            subject, body = render_badge_message(event, language)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            CertificationEvent.objects.filter(pk=event_id).update(notified_to=[*told, email])
        sent += 1
    CertificationEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    return sent


def _locked(event_id: int) -> CertificationEvent:
    # Only the event's row is locked, and only what is needed is read.
    return CertificationEvent.objects.select_for_update().only("notified_to").get(pk=event_id)


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
    return reminder_deliver(reminder_id)
