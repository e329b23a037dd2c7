"""A certified solution's regular audits and the remediation plans agreed after them."""

from django.urls import path

from . import views

urlpatterns = [
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
]
