from __future__ import annotations

from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from macfa.auth import TokenView
from macfa.health import healthz

admin.site.site_header = "MACFA administration"
admin.site.site_title = "MACFA"
admin.site.index_title = "Partnership business unit"

urlpatterns = [
    # Browsers ask for /favicon.ico on every page that names none (the admin, the API's pages).
    path("favicon.ico", lambda request: redirect(static("macfa/favicon.svg"), permanent=True)),
    # The API first: URLs are tried in order, and an API read is short enough for ninety page patterns to count.
    path("api/v1/", include(("audits.api.urls", "api"))),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("", include("audits.urls")),
    path("people/", include("agencies.views")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "macfa.errors_views.bad_request"
handler404 = "macfa.errors_views.not_found"
handler500 = "macfa.errors_views.server_error"
