from django.urls import path

from . import views

app_name = "marketplace"
urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/apply/", views.demand_apply, name="demand_apply"),
    path("demands/<int:pk>/grab/", views.demand_grab, name="demand_grab"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<str:verb>/", views.request_action, name="request_action"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("pools/", views.pools, name="pools"),
    path("metrics.xlsx", views.metrics_xlsx, name="metrics_xlsx"),
]
