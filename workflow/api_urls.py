"""The workflow's API, under /api/v1/ (after kpi's: the public list of solutions is kpi's)."""

from django.urls import path

from . import api

urlpatterns = [
    # Registering is apart from GET /api/v1/solutions/, kpi's public list: kpi sits below the
    # workflow, whose service registers a solution.
    path(
        "solution-registrations/",
        api.SolutionRegisterView.as_view(),
        name="api_solution_register",
    ),
    path("solutions/<slug:slug>/", api.SolutionDetailView.as_view(), name="api_solution"),
    path(
        "solutions/<slug:slug>/versions/",
        api.VersionListView.as_view(),
        name="api_solution_versions",
    ),
    path("requests/", api.RequestListView.as_view(), name="api_requests"),
    path("requests/<int:pk>/", api.RequestDetailView.as_view(), name="api_request"),
    path("requests/<int:pk>/timeline/", api.TimelineView.as_view(), name="api_request_timeline"),
    path(
        "requests/<int:pk>/transitions/",
        api.TransitionListView.as_view(),
        name="api_request_transitions",
    ),
    path(
        "requests/<int:pk>/transitions/<str:name>/",
        api.TransitionFireView.as_view(),
        name="api_request_transition",
    ),
]
