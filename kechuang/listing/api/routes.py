"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import AwardViewSet, EnterpriseListingViewSet, MilestoneViewSet, PoolPlacementViewSet, PoolRunViewSet


def register(router) -> None:
    router.register("listing/runs", PoolRunViewSet, basename="listing-run")
    router.register("listing/placements", PoolPlacementViewSet, basename="listing-placement")
    router.register("listing/milestones", MilestoneViewSet, basename="listing-milestone")
    router.register("listing/awards", AwardViewSet, basename="listing-award")
    router.register(r"enterprises/(?P<uscc>[0-9A-Z]{18})/listing", EnterpriseListingViewSet,
                    basename="enterprise-listing")
