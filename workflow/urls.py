from django.urls import include, path

from support_audit import views as support_views

from .views import assignment, dashboard, decisions, queue, solutions
from .views import requests as views

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("queue/", queue.queue, name="queue"),
    path("queue/assign/", queue.queue_assign, name="queue_assign"),
    path("decisions/", decisions.decisions, name="decisions"),
    path("queue/audits-due/", support_views.audits_due, name="audits_due"),
    path("solutions/", solutions.solution_list, name="solution_list"),
    path("solutions/new/", solutions.solution_create, name="solution_create"),
    path("solutions/<slug:slug>/", solutions.solution_detail, name="solution_detail"),
    path("solutions/<slug:slug>/edit/", solutions.solution_edit, name="solution_edit"),
    path("solutions/<slug:slug>/versions/new/", solutions.version_create, name="version_create"),
    path("solutions/<slug:slug>/request/", solutions.application_create, name="application_create"),
    path("requests/<int:pk>/", views.application_detail, name="application_detail"),
    path("requests/<int:pk>/assign/", assignment.application_assign, name="application_assign"),
    path("requests/<int:pk>/edit/", solutions.application_edit, name="application_edit"),
    path("requests/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("requests/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("requests/<int:pk>/meeting/", views.meeting_schedule, name="meeting_schedule"),
    path("requests/<int:pk>/meeting/record/", views.meeting_record, name="meeting_record"),
    path("requests/<int:pk>/readiness/", views.readiness, name="readiness"),
    path("requests/<int:pk>/readiness/decide/", views.readiness_decide, name="readiness_decide"),
    path("requests/<int:pk>/facts/", views.approval_facts, name="approval_facts"),
    path("", include("workflow.urls_materials")),
    path("", include("workflow.urls_certification")),
]
