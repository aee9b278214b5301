from __future__ import annotations

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from macfa.health import healthz

admin.site.site_header = "MACFA administration"
admin.site.site_title = "MACFA"
admin.site.index_title = "Partnership business unit"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
