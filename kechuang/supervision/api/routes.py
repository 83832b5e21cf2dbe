"""The app's REST routes, registered on the platform's router by ``kechuang.api_urls``."""

from .views import BreachViewSet, InspectionViewSet, OrgViewSet, RatingViewSet, ReportViewSet, UploadViewSet


def register(router) -> None:
    router.register("supervised-orgs", OrgViewSet, basename="supervisedorg")
    router.register("supervision-reports", ReportViewSet, basename="supervisionreport")
    router.register("supervision-breaches", BreachViewSet, basename="supervisionbreach")
    router.register("supervision-uploads", UploadViewSet, basename="supervisionupload")
    router.register("supervision-ratings", RatingViewSet, basename="supervisionrating")
    router.register("supervision-inspections", InspectionViewSet, basename="supervisioninspection")
