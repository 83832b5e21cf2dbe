"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import TalentConsentViewSet, TalentPersonViewSet, ValuationRunViewSet, ValuationViewSet


def register(router) -> None:
    router.register("talent-valuations", ValuationViewSet, basename="talentvaluation")
    router.register("talent-people", TalentPersonViewSet, basename="talentperson")
    router.register("talent-consents", TalentConsentViewSet, basename="talentconsent")
    router.register("talent-runs", ValuationRunViewSet, basename="talentrun")
