"""The API's errors, all JSON: DRF's own answers, a 413 for a body over the limit, and the
project's handlers (certportal.views) for what never reaches a DRF view."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.views import exception_handler as drf_exception_handler

from certportal.middleware import body_too_large


def exception_handler(exc, context):
    """DRF's JSON answers, plus 413 for a body over the limit that had no Content-Length."""
    if isinstance(exc, RequestDataTooBig):
        return body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return drf_exception_handler(exc, context)
