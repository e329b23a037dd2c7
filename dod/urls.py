"""Stage 3 pages on the reviewers' side: rounds, DoD checks, findings, outcome."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/start/", views.review_start, name="review_start"),
    path("<int:pk>/criteria/<int:number>/", views.review_check, name="review_check"),
    path("<int:pk>/findings/", views.review_finding_raise, name="review_finding_raise"),
    path(
        "<int:pk>/findings/<int:finding_pk>/resolve/",
        views.review_finding_resolve,
        name="review_finding_resolve",
    ),
    path("<int:pk>/compatibility/", views.review_compatibility, name="review_compatibility"),
    path("<int:pk>/outcome/<slug:outcome>/", views.review_outcome, name="review_outcome"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.review_evidence, name="review_evidence"),
]
