"""A solution's certification: the certificate, its history, the badge by hand, an action of
a remediation plan marked done. The regular audits' pages are support_audit's."""

from django.urls import path

from .views import certification as views

urlpatterns = [
    path("solutions/<slug:slug>/certificate/", views.certificate, name="certificate"),
    path("solutions/<slug:slug>/certificate/revoke/", views.badge_revoke, name="badge_revoke"),
    path("solutions/<slug:slug>/certificate/restore/", views.badge_restore, name="badge_restore"),
    path(
        "solutions/<slug:slug>/certificate/actions/<int:item>/done/",
        views.remediation_item_done,
        name="remediation_item_done",
    ),
    path(
        "solutions/<slug:slug>/certificate/actions/<int:item>/evidence/",
        views.remediation_item_evidence,
        name="remediation_item_evidence",
    ),
]
