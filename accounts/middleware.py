"""Session lifetime: an idle timeout by role and an absolute lifetime, counted on the server."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .rules import is_marketplace_team

# Timestamps kept in the session (seconds since the epoch, server clock).
SESSION_STARTED = "_session_started_at"
SESSION_SEEN = "_session_seen_at"
# The last-seen time is written at most this often, so that reading pages rarely writes.
SEEN_RESOLUTION = 60


def idle_timeout(user) -> int:
    """Seconds a session of `user` may stay unused: shorter for the Marketplace team and staff."""
    if user.is_staff or user.is_superuser or is_marketplace_team(user):
        return settings.SESSION_IDLE_TIMEOUT_STAFF
    return settings.SESSION_IDLE_TIMEOUT_PARTNER


def session_expired(session, user, now: float) -> bool:
    """Whether the session has been idle too long or lived past its absolute lifetime."""
    started = session.get(SESSION_STARTED)
    seen = session.get(SESSION_SEEN)
    if started is None or seen is None:
        return False
    return now - seen > idle_timeout(user) or now - started > settings.SESSION_ABSOLUTE_LIFETIME


def start_session_clock(session) -> None:
    """Stamp a new log-in's session (on user_logged_in), so its first pages write nothing."""
    now = timezone.now().timestamp()
    session[SESSION_STARTED] = session[SESSION_SEEN] = now


def session_lifetime(get_response):
    """Log a user out when the session has expired; token-authenticated API calls carry no
    session and are not concerned."""

    def middleware(request):
        user = request.user
        if user.is_authenticated:
            now = timezone.now().timestamp()
            if session_expired(request.session, user, now):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("Your session has expired. Log in again.")}, status=401
                    )
                messages.info(request, _("Your session has expired. Log in again."))
                return redirect_to_login(request.get_full_path())
            request.session.setdefault(SESSION_STARTED, now)
            if now - request.session.get(SESSION_SEEN, 0) >= SEEN_RESOLUTION:
                request.session[SESSION_SEEN] = now
        return get_response(request)

    return middleware
