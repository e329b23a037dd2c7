"""Stage 3 pages on the reviewers' side: rounds, DoD checks, findings, outcome."""

urlpatterns = []
