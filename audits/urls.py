from __future__ import annotations

from audits.views import (
    access,
    actions,
    audits,
    cases,
    concerns,
    evidence,
    history,
    home,
    programme,
    returns,
    sampling,
    summaries,
)

app_name = "pages"

# Each page module lists its own routes.
urlpatterns = [
    *home.urlpatterns,
    *actions.urlpatterns,
    *evidence.urlpatterns,
    *access.urlpatterns,
    *concerns.urlpatterns,
    *audits.urlpatterns,
    *sampling.urlpatterns,
    *cases.urlpatterns,
    *returns.urlpatterns,
    *summaries.urlpatterns,
    *programme.urlpatterns,
    *history.urlpatterns,
]
