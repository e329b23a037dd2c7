"""Stage 4 pages: the partner's support standards and the analysts' audits."""

urlpatterns = []
