"""The portal's own middleware that knows its records: refused access to an existing request or
solution goes to the security log."""

from accounts.enums import SecurityEventKind
from accounts.security import record_security_event
from catalogue.models import Solution

from .models import Application


def _existing_record(match) -> str:
    """The request or solution the URL names, when it exists ("" otherwise)."""
    kwargs = match.kwargs
    if "pk" in kwargs and Application.objects.filter(pk=kwargs["pk"]).exists():
        return f"application {kwargs['pk']}"
    if "slug" in kwargs and Solution.objects.filter(slug=kwargs["slug"]).exists():
        return f"solution {kwargs['slug']}"
    return ""


def refused_access_log(get_response):
    """A signed-in user refused (403 or 404) a page about a record that exists is recorded in
    the security log: it is how probing for other partners' records shows."""

    def middleware(request):
        response = get_response(request)
        match = request.resolver_match
        if (
            response.status_code in (403, 404)
            and match is not None
            and request.user.is_authenticated
        ):
            target = _existing_record(match)
            if target:
                record_security_event(
                    SecurityEventKind.ACCESS_REFUSED,
                    request=request,
                    target=target,
                    detail=f"{request.method} {response.status_code}",
                )
        return response

    return middleware
