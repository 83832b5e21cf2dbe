"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import DealViewSet, ListingViewSet


def register(router) -> None:
    router.register("trade/listings", ListingViewSet, basename="trade-listing")
    router.register("trade/deals", DealViewSet, basename="trade-deal")
