"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .pools import FirstLoanViewSet, RoadshowViewSet, VisitViewSet, WhitelistViewSet
from .views import DemandViewSet, LegViewSet, MetricsViewSet, ProductViewSet, QueueViewSet, RequestViewSet


def register(router) -> None:
    router.register("marketplace/products", ProductViewSet, basename="marketplace-product")
    router.register("marketplace/demands", DemandViewSet, basename="marketplace-demand")
    router.register("marketplace/requests", RequestViewSet, basename="marketplace-request")
    router.register("marketplace/legs", LegViewSet, basename="marketplace-leg")
    router.register("marketplace/queue", QueueViewSet, basename="marketplace-queue")
    router.register("marketplace/metrics", MetricsViewSet, basename="marketplace-metrics")
    router.register("marketplace/first-loan", FirstLoanViewSet, basename="marketplace-firstloan")
    router.register("marketplace/whitelist", WhitelistViewSet, basename="marketplace-whitelist")
    router.register("marketplace/visits", VisitViewSet, basename="marketplace-visit")
    router.register("marketplace/roadshows", RoadshowViewSet, basename="marketplace-roadshow")
