"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import EnterpriseIPViewSet, PledgeRateViewSet, PledgeViewSet, ValuationViewSet


def register(router) -> None:
    router.register("ip/valuations", ValuationViewSet, basename="ip-valuation")
    router.register("ip/enterprises", EnterpriseIPViewSet, basename="ip-enterprise")
    router.register("ip/pledges", PledgeViewSet, basename="ip-pledge")
    router.register("ip/pledge-rates", PledgeRateViewSet, basename="ip-pledgerate")
