from django.urls import path

from . import views

app_name = "trade"

urlpatterns = [
    path("", views.market, name="market"),
    path("mine/", views.mine, name="mine"),
    path("listings/new/", views.listing_create, name="listing_create"),
    path("listings/<int:pk>/", views.listing_detail, name="listing_detail"),
    path("listings/<int:pk>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("listings/<int:pk>/interest/", views.interest, name="interest"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/export.xlsx", views.deal_export, name="deal_export"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/<str:verb>/", views.deal_step, name="deal_step"),
    path("pledge-consents/<int:pk>/proceeds/", views.pledge_proceeds, name="pledge_proceeds"),
    path("pledges/<int:pk>/consent/", views.pledgee_consent, name="pledgee_consent"),
]
