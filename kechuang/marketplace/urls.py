from django.urls import path

from . import views, views_forms

app_name = "marketplace"
urlpatterns = [
    path("", views.home, name="home"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views_forms.product_create, name="product_create"),
    path("products/<int:pk>/edit/", views_forms.product_update, name="product_update"),
    path("products/rule-words/", views_forms.product_rule_words, name="product_rule_words"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/apply/", views.demand_apply, name="demand_apply"),
    path("demands/<int:pk>/grab/", views.demand_grab, name="demand_grab"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path("requests/<int:pk>/legs/new/", views_forms.leg_create, name="leg_create"),
    path("requests/<int:pk>/<str:verb>/", views.request_action, name="request_action"),
    path("legs/<int:pk>/default/", views_forms.leg_default_book, name="leg_default_book"),
    path("legs/<int:pk>/<str:verb>/", views_forms.leg_decide, name="leg_decide"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("pools/", views.pools, name="pools"),
    path("pools/first-loan/new/", views_forms.first_loan_create, name="first_loan_create"),
    path("pools/first-loan/<int:pk>/edit/", views_forms.first_loan_update, name="first_loan_update"),
    path("pools/whitelist/new/", views_forms.whitelist_create, name="whitelist_create"),
    path("pools/advisors/new/", views_forms.advisor_assign, name="advisor_assign"),
    path("pools/advisors/<int:pk>/visit/", views_forms.visit_create, name="visit_create"),
    path("roadshows/new/", views_forms.roadshow_create, name="roadshow_create"),
    path("roadshows/<int:pk>/", views_forms.roadshow_detail, name="roadshow_detail"),
    path("roadshows/<int:pk>/held/", views_forms.roadshow_mark_held, name="roadshow_mark_held"),
    path("roadshows/<int:pk>/register/", views_forms.roadshow_register, name="roadshow_register"),
    path("roadshows/<int:pk>/follow-up/", views_forms.roadshow_follow_up, name="roadshow_follow_up"),
    path("lookup/enterprises/", views_forms.enterprise_lookup, name="enterprise_lookup"),
    path("metrics.xlsx", views.metrics_xlsx, name="metrics_xlsx"),
]
