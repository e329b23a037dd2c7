from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Under /api/ every error is JSON; elsewhere the portal's pages (certportal.views).
handler400 = "certportal.views.bad_request"
handler403 = "certportal.views.permission_denied"
handler404 = "certportal.views.page_not_found"
handler500 = "certportal.views.server_error"

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's among them).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("review/", include("workflow.urls_review")),
    path("support/", include("workflow.urls_support")),
    path("insight/", include("insight.urls")),
    path("api/v1/", include("kpi.api_urls")),
    path("api/v1/", include("workflow.api_review_urls")),
    path("insight/", include("insight.urls_traceability")),
    path("api/v1/", include("workflow.api_urls")),
    path("sales/", include("sales.urls")),
    # The API's OpenAPI schema and its Swagger UI (docs/api.md); public, as the API's docs.
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
    path("", include("kpi.urls")),
    path("", include("catalogue.urls")),
    path("", include("support_audit.urls")),
    path("", include("workflow.urls")),
]


def bench_bare(request):
    """A constant JSON answer through the same middleware: the benchmark's floor."""
    return JsonResponse({"ok": True})


# Only scripts/bench_http.py sets BENCH_BARE_VIEW; the portal never serves this otherwise.
if settings.BENCH_BARE_VIEW:
    urlpatterns.append(path("bench/bare/", bench_bare, name="bench_bare"))
