"""A solution's KPI page and the partner's CSV uploads on it."""

from django.urls import path

from . import views

urlpatterns = [
    path("solutions/<slug:slug>/kpi/", views.solution_kpis, name="solution_kpis"),
    path("solutions/<slug:slug>/kpi/upload/<slug:kind>/", views.kpi_upload, name="kpi_upload"),
    path("solutions/<slug:slug>/kpi/cases.csv", views.kpi_cases_export, name="kpi_cases_export"),
    path(
        "solutions/<slug:slug>/kpi/template/<slug:kind>.csv",
        views.kpi_csv_template,
        name="kpi_csv_template",
    ),
]
