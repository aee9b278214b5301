"""Server-rendered pages, one module per area. They read through the selectors, write through the services and
ask audits/permissions.py what to offer; each module lists its own ``urlpatterns`` (collected in audits/urls.py)."""
