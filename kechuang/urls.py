from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include(("kechuang.workbench.urls", "workbench"))),
    path("accounts/", include("kechuang.accounts.urls")),
    path("enterprises/", include("kechuang.enterprises.urls")),
    path("ingest/", include("kechuang.ingest.urls")),
    path("evaluation/", include("kechuang.evaluation.urls")),
    path("rating/", include("kechuang.rating.urls")),
    path("marketplace/", include("kechuang.marketplace.urls")),
    path("targets/", include("kechuang.targets.urls")),
    path("ip/", include("kechuang.ip.urls")),
    path("listing/", include("kechuang.listing.urls")),
    path("funds/", include("kechuang.funds.urls")),
    path("risk/", include("kechuang.risk.urls")),
    path("points/", include("kechuang.points.urls")),
    path("talent/", include("kechuang.talent.urls")),
    path("supervision/", include("kechuang.supervision.urls")),
    path("trade/", include("kechuang.trade.urls")),
    path("core/", include("kechuang.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("kechuang.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
