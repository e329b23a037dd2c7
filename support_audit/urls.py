"""Stage 4 pages: the partner's support standards and the analysts' audits."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/declaration/", views.declaration, name="support_declaration"),
    path(
        "<int:pk>/declaration/submit/",
        views.declaration_submit,
        name="support_declaration_submit",
    ),
    path("<int:pk>/audit/", views.audit, name="support_audit"),
    path("<int:pk>/audit/record/", views.audit_record, name="support_audit_record"),
    path("<int:pk>/audit/<int:audit_pk>/plan/", views.plan_agree, name="support_plan_agree"),
    path("<int:pk>/audit/outcome/<slug:outcome>/", views.outcome, name="support_outcome"),
    path("<int:pk>/remediation/", views.remediation, name="support_remediation"),
    path(
        "<int:pk>/remediation/items/<int:item_pk>/done/",
        views.item_done,
        name="support_item_done",
    ),
    path("<int:pk>/remediation/reaudit/", views.reaudit, name="support_reaudit"),
]
