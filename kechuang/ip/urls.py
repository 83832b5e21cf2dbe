from django.urls import path

from . import views

app_name = "ip"

urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/<int:pk>/", views.enterprise_ip, name="enterprise_ip"),
    path("enterprises/<int:pk>/value/", views.valuation_run, name="valuation_run"),
    path("enterprises/<int:pk>/pledge/", views.pledge_create, name="pledge_create"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/release/", views.pledge_release, name="pledge_release"),
]
