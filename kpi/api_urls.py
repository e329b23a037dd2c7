"""The partner API, under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/", api.CaseImportView.as_view(), name="api_cases"),
    path("nps/", api.NPSImportView.as_view(), name="api_nps"),
    path("customers/", api.CustomerImportView.as_view(), name="api_customers"),
    path("solutions/", api.SolutionListView.as_view(), name="api_solutions"),
    path(
        "solutions/<slug:slug>/kpi/snapshots/",
        api.SnapshotListView.as_view(),
        name="api_kpi_snapshots",
    ),
    path(
        "solutions/<slug:slug>/kpi/breaches/",
        api.BreachListView.as_view(),
        name="api_kpi_breaches",
    ),
]
