from __future__ import annotations

from rest_framework.routers import DefaultRouter

from agencies.api import AgencyViewSet, MembershipViewSet, PartnershipViewSet
from audits.api import views

router = DefaultRouter()
# No `.json` suffix URLs (nobody asks for them; JSON is the default): half as many patterns to try for each request.
router.include_format_suffixes = False
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("audits", views.AuditViewSet, basename="audit")
router.register("cases", views.CaseViewSet, basename="case")
router.register("views", views.ChildFamilyViewViewSet, basename="view")
router.register("returns", views.AgencyReturnViewSet, basename="return")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("actions", views.ActionViewSet, basename="action")
router.register("action-updates", views.ActionUpdateViewSet, basename="action-update")
router.register("concerns", views.ConcernViewSet, basename="concern")
router.register("summaries", views.SummaryViewSet, basename="summary")

urlpatterns = router.urls
