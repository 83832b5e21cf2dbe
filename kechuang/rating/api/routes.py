"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import (EnterpriseRatingViewSet, MonitoringViewSet, RatingModelViewSet,
                    RatingResultViewSet, RatingRunViewSet)


def register(router) -> None:
    router.register(r"enterprises/(?P<uscc>[0-9A-Z]{18})/rating", EnterpriseRatingViewSet,
                    basename="enterprise-rating")
    router.register("rating-runs", RatingRunViewSet, basename="ratingrun")
    router.register("rating-results", RatingResultViewSet, basename="ratingresult")
    router.register("rating-models", RatingModelViewSet, basename="ratingmodel")
    router.register("rating-monitoring", MonitoringViewSet, basename="ratingmonitoring")
