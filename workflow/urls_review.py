"""Stage 3 pages on the reviewers' side (under /review/): rounds, DoD checks, findings, outcome."""

from django.urls import path

from .views import review_actions as actions
from .views.review import review

urlpatterns = [
    path("<int:pk>/", review, name="review"),
    path("<int:pk>/start/", actions.review_start, name="review_start"),
    path("<int:pk>/criteria/<int:number>/", actions.review_check, name="review_check"),
    path("<int:pk>/findings/", actions.review_finding_raise, name="review_finding_raise"),
    path(
        "<int:pk>/findings/<int:finding_pk>/resolve/",
        actions.review_finding_resolve,
        name="review_finding_resolve",
    ),
    path("<int:pk>/compatibility/", actions.review_compatibility, name="review_compatibility"),
    path("<int:pk>/outcome/<slug:outcome>/", actions.review_outcome, name="review_outcome"),
    path("<int:pk>/evidence/<int:evidence_pk>/", actions.review_evidence, name="review_evidence"),
]
