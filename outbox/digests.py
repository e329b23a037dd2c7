"""The daily digest: one e-mail a day to each person with notices held, listing them.

The day is the portal's (TIME_ZONE). Each person's digest is recorded in a transaction of its
own, with the held notices it takes (marked digested) and its outbox message: the person's
claim. A second run the same day finds the digest and records nothing; a run killed half-way
leaves the people it reached with their digest and the others with their notices still held,
for the next run; the e-mail itself goes through the outbox, once (`digest_deliver`).
Notices held after the day's digest wait for the next day's.
"""

from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User

from .models import Digest, Notice
from .services import enqueue

HELD = Notice.Decision.HELD


def digests_send(*, now: datetime | None = None) -> int:
    """Record today's digest of everyone with notices held (once a day each) and hand each
    to the outbox; how many were recorded."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    people = (
        Notice.objects.filter(decision=HELD, created_at__lte=now)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(digest_record(user_id=user_id, day=day, now=now) is not None for user_id in people)


def digest_record(*, user_id: int, day: date, now: datetime) -> Digest | None:
    """Record one person's digest of `day` with the notices held until `now`; None when it
    exists already, nothing is held, or the person cannot be e-mailed."""
    try:
        with transaction.atomic():
            notices = list(
                Notice.objects.select_for_update()
                .filter(user_id=user_id, decision=HELD, created_at__lte=now)
                .order_by("created_at", "pk")
            )
            if not notices or Digest.objects.filter(user_id=user_id, day=day).exists():
                return None
            user = User.objects.get(pk=user_id)
            if not (user.is_active and user.email):
                return None  # held until the account can be reached again
            subject, body = render_digest(user, notices, day)
            digest = Digest.objects.create(
                user=user,
                day=day,
                recipient=user.email,
                language=user.language,
                subject=subject[:255],
                body=body,
            )
            Notice.objects.filter(pk__in=[notice.pk for notice in notices]).update(
                decision=Notice.Decision.DIGESTED, digest=digest
            )
            enqueue("outbox.deliver_digest", key=f"digest:{digest.pk}", digest_id=digest.pk)
    except IntegrityError:
        return None  # another run recorded this person's digest of the day first
    return digest


def render_digest(user: User, notices: list[Notice], day: date) -> tuple[str, str]:
    """Subject and body of a digest, in the person's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "day": day,
            "items": [{"kind": notice.get_kind_display(), "notice": notice} for notice in notices],
            "settings_url": settings.SITE_URL + reverse("notification_settings"),
        }
        subject = render_to_string("outbox/email/digest_subject.txt", context)
        body = render_to_string("outbox/email/digest_body.txt", context)
    return " ".join(subject.split()), body


def digest_deliver(digest_id: int) -> bool:
    """E-mail a recorded digest once and mark it sent; False when it was sent already. A mail
    server that refuses it raises, and the digest stays unsent for the outbox to try again."""
    with transaction.atomic():
        digest = Digest.objects.select_for_update().get(pk=digest_id)
        if digest.sent_at is not None:
            return False
        send_mail(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [digest.recipient])
        digest.sent_at = timezone.now()
        digest.save(update_fields=["sent_at"])
    return True
