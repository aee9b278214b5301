from __future__ import annotations

from audits.views import actions, concerns, home

app_name = "pages"

# Each page module lists its own routes.
urlpatterns = [*home.urlpatterns, *actions.urlpatterns, *concerns.urlpatterns]
