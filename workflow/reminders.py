"""The daily reminders: what is due, for whom, and one digest e-mail a day per person.

Three things are due (the same rules the analyst queue shows): regular audits and
remediation actions (support_audit.reminders), and the review of a critical fix, not yet
decided, due already or by the end of the next business day of the Marketplace team (R6.5).
Analysts hear of all three; a partner's members, and the action's owner when it names an
e-mail address, hear of the partner's remediation actions. support_audit.reminders records
one reminder per person and day and delivers it.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.enums import Role
from accounts.selectors import reachable
from support_audit.business_hours import team_calendar
from support_audit.reminders import (
    KIND_ORDER,
    REVIEW,
    Digest,
    Due,
    action_people,
    actions_due,
    audits_due,
    link,
    reminders_record,
)

from .enums import ApplicationKind, ApplicationState
from .models import Application

# A critical fix's review is decided once it leaves these states (passed, or changes asked).
UNDECIDED_REVIEW_STATES = (ApplicationState.SUBMITTED_FOR_REVIEW, ApplicationState.IN_REVIEW)


def review_horizon(now: datetime) -> datetime:
    """The end of the team's next business day after `now`: reviews due by then are reminded."""
    team = team_calendar()
    day = now.astimezone(team.zone).date() + timedelta(days=1)
    while not team.is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=team.zone)


def reviews_due(now: datetime) -> list[Due]:
    """Critical-fix reviews not yet decided, due already or by the end of the next business
    day (R6.5)."""
    applications = Application.objects.filter(
        kind=ApplicationKind.CRITICAL_FIX,
        state__in=UNDECIDED_REVIEW_STATES,
        review_due_at__lt=review_horizon(now),
    ).select_related("solution__partner", "version")
    return [
        Due(
            REVIEW,
            f"review:{application.pk}",
            application,
            application.review_due_at,
            link("review", application.pk),
            late=application.review_due_at < now,
        )
        for application in applications.order_by("review_due_at", "pk")
    ]


def digests(now: datetime | None = None) -> list[Digest]:
    """Who must act on what today: one digest per e-mail address, by address."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    audits, actions, reviews = audits_due(today), actions_due(today), reviews_due(now)
    if not (audits or actions or reviews):
        return []

    active = get_user_model().objects.filter(is_active=True).exclude(email="")
    analysts = reachable(roles=[Role.ANALYST])
    everything = reviews + audits + actions
    listed: dict[str, list[Due]] = {email: list(everything) for email in analysts}
    languages = dict(analysts)
    analyst_addresses = {email.lower() for email in analysts}
    people = action_people(actions, active)
    for item in actions:
        for email, language in people[item.key].items():
            if email.lower() in analyst_addresses:
                continue  # analysts already hear of every action
            languages.setdefault(email, language)
            listed.setdefault(email, []).append(item)

    return [
        Digest(
            email=email,
            language=languages.get(email) or settings.LANGUAGE_CODE,
            items=sorted(items, key=lambda due: KIND_ORDER.index(due.kind)),
            team=email in analysts,
        )
        for email, items in sorted(listed.items())
    ]


def reminders_send(*, now: datetime | None = None) -> int:
    """Record today's digest for everyone who has something due, once a day, and hand each
    to the outbox; the number recorded (support_audit.reminders.reminders_record)."""
    now = now or timezone.now()
    return reminders_record(digests(now), timezone.localdate(now))
