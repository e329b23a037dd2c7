"""The files of a request, through Django, only to those who may see the request."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from catalogue.rules import require as _require
from dod.models import CheckEvidence

from ..models import Material
from .common import visible_application


def _attachment(stored, filename: str) -> FileResponse:
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def material_download(request, pk, material_id):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    material = get_object_or_404(Material, pk=material_id, application=application)
    if not material.file:
        raise Http404
    return _attachment(material.file, material.original_name or material.file.name)


@login_required
def evidence_download(request, pk, evidence_id):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    evidence = get_object_or_404(
        CheckEvidence, pk=evidence_id, check_record__round__application=application
    )
    return _attachment(evidence.file, evidence.original_name)
