from datetime import timedelta
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_short(spent: timedelta) -> str:
    """A span of time as a person reads it: “3 d 4 h”, “2 h 5 min”, “less than a minute”."""
    minutes = int(spent.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min") % {"m": minutes}
    return _("less than a minute")


@register.filter
def duration_since(moment) -> str:
    """The time elapsed since `moment`, written as `duration_short` writes every duration."""
    return duration_short(timezone.now() - moment)


@register.filter
def web_url(url: str) -> str:
    """The URL for an href when it is an http(s) address, else nothing: a stored link can never
    run a script (javascript:, data:) even if it got past the forms' validation."""
    scheme = urlsplit(str(url or "")).scheme.lower()
    return url if scheme in ("http", "https") else ""
