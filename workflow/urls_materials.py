"""Stage 3 pages on the partner's side: materials, downloads, findings, updates."""

from django.urls import path

from .views import findings
from .views import materials as views

urlpatterns = [
    path("requests/<int:pk>/materials/", views.materials, name="materials"),
    path("requests/<int:pk>/materials/submit/", views.materials_submit, name="materials_submit"),
    path(
        "requests/<int:pk>/materials/compatibility/",
        views.compatibility,
        name="materials_compatibility",
    ),
    path(
        "requests/<int:pk>/materials/<int:material_id>/download/",
        views.material_download,
        name="material_download",
    ),
    path(
        "requests/<int:pk>/materials/<slug:kind>/upload/",
        views.material_upload,
        name="material_upload",
    ),
    path(
        "requests/<int:pk>/materials/<slug:kind>/reconfirm/",
        views.material_carry_over,
        name="material_carry_over",
    ),
    path(
        "requests/<int:pk>/evidence/<int:evidence_id>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("requests/<int:pk>/findings/", findings.findings, name="findings"),
    path(
        "requests/<int:pk>/findings/<int:finding_id>/answer/",
        findings.finding_answer,
        name="finding_answer",
    ),
    path("solutions/<slug:slug>/update/", views.update_request_open, name="update_request_open"),
]
