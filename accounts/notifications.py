"""Each person's choice, per kind of e-mail, between immediately, a daily digest and none.

The outbox asks `choices_for` when it records a message (outbox.notices); the settings page
reads `preferences_of` and saves with `preferences_set`. A mandatory kind
(`MANDATORY_NOTIFICATIONS`) is always immediate, whatever is stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower

from .enums import MANDATORY_NOTIFICATIONS, NotificationChoice, NotificationKind
from .models import NotificationPreference, User

Choice = NotificationChoice


def is_mandatory(kind: str) -> bool:
    return kind in MANDATORY_NOTIFICATIONS


@dataclass(frozen=True)
class Preference:
    """One line of the settings page: the kind, the choice in force, and why it is fixed."""

    kind: NotificationKind
    choice: NotificationChoice
    fixed_reason: str = ""

    @property
    def fixed(self) -> bool:
        return bool(self.fixed_reason)


def preferences_of(user: User) -> list[Preference]:
    """Every kind with the user's choice in force, in the order of `NotificationKind`."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "choice"))
    return [
        Preference(kind, Choice.IMMEDIATE, str(MANDATORY_NOTIFICATIONS[kind]))
        if is_mandatory(kind)
        else Preference(kind, Choice(stored.get(kind, Choice.IMMEDIATE)))
        for kind in NotificationKind
    ]


def preferences_set(*, user: User, choices: dict[str, str]) -> None:
    """Store the user's choices (kind → choice); mandatory kinds are not stored."""
    with transaction.atomic():
        for kind, choice in choices.items():
            if is_mandatory(kind):
                continue
            NotificationPreference.objects.update_or_create(
                user=user, kind=NotificationKind(kind), defaults={"choice": Choice(choice)}
            )


def choices_for(kind: str, emails: Iterable[str]) -> dict[str, tuple[int | None, Choice]]:
    """For each address, the active account it belongs to (None: no account) and the choice
    for `kind` (one query). Mandatory kinds and addresses without an account: immediately."""
    emails = list(emails)
    found: dict[str, tuple[int | None, Choice]] = dict.fromkeys(emails, (None, Choice.IMMEDIATE))
    if not emails:
        return found
    by_address = {email.lower(): email for email in emails}
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    users = (
        User.objects.annotate(address=Lower("email"))
        .filter(is_active=True, address__in=list(by_address))
        .annotate(choice=Subquery(chosen.values("choice")[:1]))
        .order_by("pk")
        .values_list("pk", "address", "choice")
    )
    mandatory = is_mandatory(kind)
    for user_id, address, choice in users:
        email = by_address[address]
        if found[email][0] is None:  # two accounts with one address: the first one's choice
            chosen_now = Choice.IMMEDIATE if mandatory or not choice else Choice(choice)
            found[email] = (user_id, chosen_now)
    return found
