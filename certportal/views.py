"""The error pages: JSON under /api/ (every status the API can answer), HTML elsewhere."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from .middleware import API_PREFIX


def _api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _api(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse(
            {"detail": _("Something went wrong on our side. Try again later.")},
            status=500,
        )
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    if _api(request):
        return JsonResponse(
            {"detail": _("CSRF check failed: send the token with session requests.")},
            status=403,
        )
    return django_csrf_failure(request, reason)
