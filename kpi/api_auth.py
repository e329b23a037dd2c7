"""How the API authenticates and limits callers: hashed tokens (django-rest-knox) and
throttles per token and per user. (Errors: kpi.api_errors, apart to avoid an import cycle
with DRF's settings.)"""

from knox.auth import TokenAuthentication
from rest_framework import throttling
from rest_framework.settings import api_settings

from accounts.models import ApiToken


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <secret>`; the secret is compared with its stored SHA-512 digest."""


class _RateFromSettings:
    """The rate is read from REST_FRAMEWORK when the request comes, not when DRF is imported,
    so a changed setting takes effect (DRF's throttles copy the rates once)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Requests per token (rate `token`): one leaked token cannot use a whole account's rate."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.digest[:64]}


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Requests per signed-in user (rate `user`), every token and the session together;
    anonymous callers are limited per address by AnonRateThrottle instead."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Requests per address from callers not signed in (rate `anon`)."""
