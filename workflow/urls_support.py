"""Stage 4 pages: the partner's support standards and the analysts' audits."""

from django.urls import path

from .views import support, support_remediation
from .views import support_review as audits

urlpatterns = [
    path("<int:pk>/declaration/", support.declaration, name="support_declaration"),
    path(
        "<int:pk>/declaration/submit/",
        support.declaration_submit,
        name="support_declaration_submit",
    ),
    path("<int:pk>/audit/", audits.audit, name="support_audit"),
    path("<int:pk>/audit/record/", audits.audit_record, name="support_audit_record"),
    path("<int:pk>/audit/<int:audit_pk>/plan/", audits.plan_agree, name="support_plan_agree"),
    path("<int:pk>/audit/outcome/<slug:outcome>/", audits.outcome, name="support_outcome"),
    path("<int:pk>/remediation/", support_remediation.remediation, name="support_remediation"),
    path(
        "<int:pk>/remediation/items/<int:item_pk>/done/",
        support_remediation.item_done,
        name="support_item_done",
    ),
    path(
        "<int:pk>/remediation/items/<int:item_pk>/evidence/",
        support_remediation.item_evidence,
        name="support_item_evidence",
    ),
    path("<int:pk>/remediation/reaudit/", support_remediation.reaudit, name="support_reaudit"),
]
