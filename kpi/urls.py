"""A solution's KPI page and the partner's CSV uploads on it."""

from django.urls import path

from . import export_views, survey_views, views

urlpatterns = [
    path("kpi/surveys/", survey_views.survey_list, name="nps_surveys"),
    path("kpi/surveys/<int:pk>/remind/", survey_views.survey_remind, name="nps_survey_remind"),
    path("nps/<str:token>/", survey_views.survey_answer, name="nps_answer"),
    path("solutions/<slug:slug>/kpi/", views.solution_kpis, name="solution_kpis"),
    path("solutions/<slug:slug>/kpi/upload/<slug:kind>/", views.kpi_upload, name="kpi_upload"),
    path("solutions/<slug:slug>/kpi/cases.csv", views.kpi_cases_export, name="kpi_cases_export"),
    path(
        "solutions/<slug:slug>/kpi/cases.xlsx",
        export_views.kpi_cases_export_xlsx,
        name="kpi_cases_export_xlsx",
    ),
    path(
        "solutions/<slug:slug>/kpi/badge-history.csv",
        export_views.kpi_badge_history_export,
        {"fmt": "csv"},
        name="kpi_badge_history_csv",
    ),
    path(
        "solutions/<slug:slug>/kpi/badge-history.xlsx",
        export_views.kpi_badge_history_export,
        {"fmt": "xlsx"},
        name="kpi_badge_history_xlsx",
    ),
    path(
        "solutions/<slug:slug>/kpi/months/<str:period>/reopen/",
        views.kpi_month_reopen,
        name="kpi_month_reopen",
    ),
    path(
        "solutions/<slug:slug>/kpi/upload/<slug:kind>/errors.csv",
        views.kpi_upload_errors,
        name="kpi_upload_errors",
    ),
    path(
        "solutions/<slug:slug>/kpi/template/<slug:kind>.csv",
        views.kpi_csv_template,
        name="kpi_csv_template",
    ),
]
