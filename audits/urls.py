from __future__ import annotations

from audits.views import actions, audits, cases, concerns, home, returns, sampling

app_name = "pages"

# Each page module lists its own routes.
urlpatterns = [
    *home.urlpatterns,
    *actions.urlpatterns,
    *concerns.urlpatterns,
    *audits.urlpatterns,
    *sampling.urlpatterns,
    *cases.urlpatterns,
    *returns.urlpatterns,
]
