"""Stage 3 pages on the partner's side: materials, downloads, findings, updates."""

from django.urls import path

from .views import downloads, findings, material_actions, updates
from .views import materials as views

urlpatterns = [
    path("requests/<int:pk>/materials/", views.materials, name="materials"),
    path(
        "requests/<int:pk>/materials/submit/",
        material_actions.materials_submit,
        name="materials_submit",
    ),
    path(
        "requests/<int:pk>/materials/compatibility/",
        material_actions.compatibility,
        name="materials_compatibility",
    ),
    path(
        "requests/<int:pk>/materials/<int:material_id>/download/",
        downloads.material_download,
        name="material_download",
    ),
    path(
        "requests/<int:pk>/materials/<slug:kind>/upload/",
        material_actions.material_upload,
        name="material_upload",
    ),
    path(
        "requests/<int:pk>/materials/<slug:kind>/reconfirm/",
        material_actions.material_carry_over,
        name="material_carry_over",
    ),
    path(
        "requests/<int:pk>/evidence/<int:evidence_id>/download/",
        downloads.evidence_download,
        name="evidence_download",
    ),
    path("requests/<int:pk>/findings/", findings.findings, name="findings"),
    path(
        "requests/<int:pk>/findings/<int:finding_id>/answer/",
        findings.finding_answer,
        name="finding_answer",
    ),
    path("solutions/<slug:slug>/update/", updates.update_request_open, name="update_request_open"),
]
