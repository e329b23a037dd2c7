"""A solution's certification: the certificate, its history, the badge by hand."""

urlpatterns = []
