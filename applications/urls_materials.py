"""Stage 3 pages on the partner's side: materials, downloads, findings, updates."""

urlpatterns = []
