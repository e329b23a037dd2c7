"""The API of a request's stage 3 and of a solution's certificate, under /api/v1/
(workflow/api_review.py). The request itself is workflow/api_urls.py's."""

from django.urls import path

from . import api_review as api

urlpatterns = [
    path("requests/<int:pk>/materials/", api.MaterialListView.as_view(), name="api_materials"),
    path(
        "requests/<int:pk>/materials/<str:kind>/",
        api.MaterialView.as_view(),
        name="api_material",
    ),
    path("requests/<int:pk>/review/", api.ReviewView.as_view(), name="api_review"),
    path(
        "requests/<int:pk>/findings/<int:finding_id>/answer/",
        api.FindingAnswerView.as_view(),
        name="api_finding_answer",
    ),
    path(
        "solutions/<slug:slug>/certificate/",
        api.CertificateView.as_view(),
        name="api_certificate",
    ),
    path(
        "solutions/<slug:slug>/certificate/history/",
        api.CertificateHistoryView.as_view(),
        name="api_certificate_history",
    ),
    path("solutions/<slug:slug>/badge/", api.BadgeView.as_view(), name="api_badge"),
]
