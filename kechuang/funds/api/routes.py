"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import ClaimViewSet, ProgrammeViewSet, RepaymentViewSet


def register(router) -> None:
    router.register("funds/programmes", ProgrammeViewSet, basename="funds-programme")
    router.register("funds/claims", ClaimViewSet, basename="funds-claim")
    router.register("funds/repayments", RepaymentViewSet, basename="funds-repayment")
