"""The writes a user makes on their own account: API tokens and the e-mail address."""

from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest

from .enums import SecurityEventKind
from .models import ApiToken, User
from .security import record_security_event


def api_token_create(
    *, user: User, name: str, days: int, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new API token of `user` valid for `days`; the secret is returned once, never stored."""
    with transaction.atomic():
        token, secret = ApiToken.objects.create(user=user, name=name, expiry=timedelta(days=days))
        record_security_event(
            SecurityEventKind.TOKEN_CREATED,
            request=request,
            user=user,
            target=f"token {token.token_key}",
            detail=f"{name}, expires {token.expiry:%Y-%m-%d %H:%M} UTC",
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User, request: HttpRequest | None = None) -> None:
    """Revoke a token at once: it no longer authenticates. Recorded in the security log."""
    with transaction.atomic():
        record_security_event(
            SecurityEventKind.TOKEN_REVOKED,
            request=request,
            user=by,
            target=f"token {token.token_key}",
            detail=f"{token.name} of {token.user.get_username()}",
        )
        token.delete()


def api_tokens_of(user: User):
    """The user's tokens, newest first, expired ones included until they are cleaned up."""
    return ApiToken.objects.filter(user=user).order_by("-created")


def account_email_change(*, user: User, email: str) -> None:
    """Set the account's e-mail address (the form has checked the current password)."""
    user.email = email
    user.save(update_fields=["email"])


def token_expiry_choices(max_days: int) -> list[int]:
    """The validity periods offered for a new token, up to the configured maximum."""
    return [days for days in (30, 90, 180, 365) if days <= max_days] or [max_days]
