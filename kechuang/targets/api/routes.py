"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import LiveMetricViewSet, PlanViewSet, TaskViewSet


def register(router) -> None:
    router.register("targets/plans", PlanViewSet, basename="targets-plan")
    router.register("targets/tasks", TaskViewSet, basename="targets-task")
    router.register("targets/live-metrics", LiveMetricViewSet, basename="targets-livemetric")
