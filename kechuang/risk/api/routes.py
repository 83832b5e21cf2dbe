"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import CaseViewSet, PortfolioViewSet, WarningRunViewSet, WarningViewSet


def register(router) -> None:
    router.register("risk-runs", WarningRunViewSet, basename="riskrun")
    router.register("risk-warnings", WarningViewSet, basename="riskwarning")
    router.register("risk-cases", CaseViewSet, basename="riskcase")
    router.register("risk-portfolio", PortfolioViewSet, basename="riskportfolio")
