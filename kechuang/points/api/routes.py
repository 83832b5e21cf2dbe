"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import PointsModelViewSet, PointsResultViewSet, PointsRunViewSet


def register(router) -> None:
    router.register("points-models", PointsModelViewSet, basename="pointsmodel")
    router.register("points-runs", PointsRunViewSet, basename="pointsrun")
    router.register("points-results", PointsResultViewSet, basename="pointsresult")
