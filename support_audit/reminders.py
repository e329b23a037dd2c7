"""The daily reminders' stage-4 side: audits and actions due, the digest, its record and its
delivery. workflow/reminders.py adds the requests' reviews due and runs the job.

Three things are due (the same rules the analyst queue shows):
- a regular audit of a certified solution past its due date, not yet held (R5.7);
- an action of a remediation plan in force, past its due date and not done (R4.7, R5.8);
- the review of a critical fix, not yet decided, due already or by the end of the next
  business day of the Marketplace team (R6.5).

Analysts hear of all three; a partner's members, and the action's owner when it names an
e-mail address, hear of the partner's remediation actions. A `Reminder` row per person and
day makes the job idempotent: run twice the same day, it sends nothing the second time. The
row holds the e-mail as written that day and is sent through the outbox, so a mail server that
is down delays the reminder instead of losing it. The outbox applies the person's choice for
reminders (outbox.notices): at once, in their daily digest, or not at all.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import NotificationKind
from outbox.notices import notify

from .enums import MARKETPLACE_LANGUAGE, AuditPurpose
from .models import RemediationItem, Reminder
from .selectors import overdue_audits, overdue_plan_items

AUDIT = "audit"
ACTION = "action"
REVIEW = "review"
KIND_ORDER = (REVIEW, AUDIT, ACTION)


@dataclass(frozen=True)
class Due:
    """One thing someone must act on: `record` is the certification, plan item or request;
    `late` when its due date or time has passed (a review may also be due soon)."""

    kind: str
    key: str
    record: object
    due: date | datetime
    url: str
    late: bool = True


@dataclass
class Digest:
    """Everything due for one person, in their language."""

    email: str
    language: str
    items: list[Due] = field(default_factory=list)
    team: bool = False  # an analyst: links to the queue

    def of_kind(self, kind: str) -> list[Due]:
        return [item for item in self.items if item.kind == kind]


def link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def audits_due(today: date) -> list[Due]:
    """Regular audits past their due date and not yet held (holding one moves the date)."""
    return [
        Due(
            AUDIT,
            f"audit:{certification.pk}",
            certification,
            certification.next_audit_due,
            link("regular_audit", certification.solution.slug),
        )
        for certification in overdue_audits(today).order_by("next_audit_due", "pk")
    ]


def _action_url(item: RemediationItem) -> str:
    audit = item.plan.audit
    if audit is not None and audit.application_id and audit.purpose != AuditPurpose.REGULAR:
        # A plan of the support certification (stage 4) lives on its request.
        return link("support_remediation", audit.application_id)
    return link("certificate", item.plan.solution.slug)


def actions_due(today: date) -> list[Due]:
    """Actions of remediation plans in force, past their due date and not done."""
    items = overdue_plan_items(today).select_related("plan__solution__partner", "plan__audit")
    return [
        Due(ACTION, f"item:{item.pk}", item, item.due_on, _action_url(item))
        for item in items.order_by("due_on", "pk")
    ]


def _owner_email(item: RemediationItem) -> str:
    """The action's owner, when the plan names them by e-mail address."""
    owner = item.owner.strip()
    try:
        validate_email(owner)
    except ValidationError:
        return ""
    return owner


def action_people(actions: list[Due], active) -> dict[str, dict[str, str]]:
    """For each action (by key), the partner's members and its owner: address → language."""
    if not actions:
        return {}
    owners = {item.key: _owner_email(item.record) for item in actions}
    concerned = active.annotate(address=Lower("email")).filter(
        Q(partner_id__in={item.record.plan.solution.partner_id for item in actions})
        | Q(address__in=[owner.lower() for owner in owners.values() if owner])
    )
    # Lower-cased address → (address, language, partner).
    known = {
        email.lower(): (email, language, partner_id)
        for email, language, partner_id in concerned.values_list("email", "language", "partner_id")
    }
    people = {}
    for item in actions:
        solution = item.record.plan.solution
        people[item.key] = {
            email: language
            for email, language, partner_id in known.values()
            if partner_id == solution.partner_id
        }
        if owner := owners[item.key]:
            # An owner without an account reads the language of the solution's marketplace.
            email, language, _partner = known.get(
                owner.lower(), (owner, MARKETPLACE_LANGUAGE.get(solution.marketplace), None)
            )
            people[item.key].setdefault(email, language)
    return people


def render_digest(digest: Digest, today: date) -> tuple[str, str]:
    with translation.override(digest.language):
        context = {
            "digest": digest,
            "today": today,
            "reviews": digest.of_kind(REVIEW),
            "audits": digest.of_kind(AUDIT),
            "actions": digest.of_kind(ACTION),
            "queue_url": link("queue"),
            "team_zone": settings.TEAM_TIME_ZONE,
        }
        subject = render_to_string("support_audit/email/reminder_subject.txt", context)
        body = render_to_string("support_audit/email/reminder_body.txt", context)
    return " ".join(subject.split()), body


def reminders_record(digests: list[Digest], today: date) -> int:
    """Record each digest as today's reminder of its person, once a day, and hand each to the
    outbox; the number recorded.

    Each reminder is written (subject and body in the recipient's language) in one
    transaction with its outbox message: the mail goes after the commit, and a mail server
    that is down leaves the message pending for the sweep instead of losing the reminder. A
    run that stops half-way is safe to repeat, and a second run the same day records nothing.
    """
    recorded = 0
    for digest in digests:
        with transaction.atomic():
            subject, body = render_digest(digest, today)
            reminder, created = Reminder.objects.get_or_create(
                recipient=digest.email,
                day=today,
                defaults={
                    "language": digest.language,
                    "items": [item.key for item in digest.items],
                    "subject": subject,
                    "body": body,
                },
            )
            if not created:
                continue
            # As its person chose to receive reminders: at once, in the daily digest, or not.
            notify(
                "support_audit.deliver_reminder",
                kind=NotificationKind.REMINDER,
                recipients={digest.email: digest.language},
                render=lambda _email, _language, text=(subject, body): text,
                key=f"reminder:{reminder.pk}",
                reminder_id=reminder.pk,
            )
            recorded += 1
    return recorded


def reminder_deliver(reminder_id: int) -> bool:
    """E-mail a recorded reminder once and mark it sent; False when it was sent already. A
    mail server that refuses it raises, and the reminder stays unsent for the outbox to try
    again."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().get(pk=reminder_id)
        if reminder.sent_at is not None:
            return False
        send_mail(
            reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, [reminder.recipient]
        )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True
