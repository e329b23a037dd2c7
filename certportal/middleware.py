"""Project-wide middleware: security headers, the API's body limit, the refused-access log."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def security_headers(get_response):
    """Permissions-Policy on every response (Content-Security-Policy comes from django-csp)."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def body_too_large(limit: int) -> JsonResponse:
    return JsonResponse(
        {
            "detail": _("The request body is larger than %(limit)s. Send smaller batches.")
            % {"limit": filesizeformat(limit)}
        },
        status=413,
    )


def api_body_limit(get_response):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE sent to the API answers a JSON 413 before it is
    read; elsewhere Django's own limit applies.

    A multipart body (a material's upload, workflow/api_review.py) is exempt: its files stream
    to disk and stop at the material's own limit, its other fields are held to Django's, and
    an endpoint that takes no multipart body refuses it (415) without reading it."""

    def middleware(request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data")
        if request.path.startswith(API_PREFIX) and limit is not None and not multipart:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                return body_too_large(limit)
        return get_response(request)

    return middleware


def method_not_allowed_page(get_response):
    """Django answers a method a view does not take (a GET on a form's POST address) with an
    empty 405: a person who follows such a link gets a page that says what happened, the API a
    JSON body. The Allow header stays."""

    def middleware(request):
        response = get_response(request)
        if response.status_code != 405 or response.content:
            return response
        if request.path.startswith(API_PREFIX):
            page = JsonResponse({"detail": _("This method is not allowed here.")}, status=405)
        else:
            page = HttpResponse(render_to_string("405.html", request=request), status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page

    return middleware
