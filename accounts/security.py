"""The security log: one service that writes an event to the log stream and to the
SecurityEvent table, and the receivers that feed it from Django's and django-axes' signals."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .enums import SecurityEventKind
from .middleware import start_session_clock
from .models import SecurityEvent

logger = logging.getLogger("certportal.security")


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from, as the web server saw it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(
    kind: SecurityEventKind,
    *,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    target: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Log one security event to the stream and to the table staff read in the admin."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username[:150],
        ip_address=client_address(request),
        path=request.path[:500] if request is not None else "",
        target=str(target)[:200],
        detail=str(detail)[:500],
    )
    logger.warning(
        "%s user=%s address=%s path=%s target=%s %s",
        kind.value,
        event.username or "-",
        event.ip_address or "-",
        event.path or "-",
        event.target or "-",
        event.detail,
    )
    return event


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record_security_event(
        SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )


@receiver(user_logged_in, dispatch_uid="security_log_logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
    # Successful log-ins go to the stream only; django-axes keeps them in its access log.
    logger.info(
        "login_succeeded user=%s address=%s", user.get_username(), client_address(request) or "-"
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    record_security_event(
        SecurityEventKind.LOCKED_OUT,
        request=request,
        username=username or "",
        detail=f"address {ip_address}" if ip_address else "",
    )


def connect_axes() -> None:
    user_locked_out.connect(_locked_out, dispatch_uid="security_log_locked_out")
