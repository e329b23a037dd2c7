"""A solution's certification: the certificate, its history, the badge by hand."""

from django.urls import path

from .views import certification as views

urlpatterns = [
    path("solutions/<slug:slug>/certificate/", views.certificate, name="certificate"),
    path("solutions/<slug:slug>/certificate/revoke/", views.badge_revoke, name="badge_revoke"),
    path("solutions/<slug:slug>/certificate/restore/", views.badge_restore, name="badge_restore"),
    path("solutions/<slug:slug>/certificate/audit/", views.regular_audit, name="regular_audit"),
    path(
        "solutions/<slug:slug>/certificate/audit/versions/",
        views.regular_audit_versions_finding,
        name="regular_audit_versions_finding",
    ),
    path(
        "solutions/<slug:slug>/certificate/audits/<int:audit>/plan/",
        views.remediation_plan_agree,
        name="remediation_plan_agree",
    ),
    path(
        "solutions/<slug:slug>/certificate/actions/<int:item>/done/",
        views.remediation_item_done,
        name="remediation_item_done",
    ),
]
