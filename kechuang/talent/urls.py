from django.urls import path

from . import views

app_name = "talent"
urlpatterns = [
    path("", views.TeamView.as_view(), name="team"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person_detail"),
    path("me/", views.MineView.as_view(), name="mine"),
    path("consents/<int:pk>/revoke/", views.ConsentRevokeView.as_view(), name="talentconsent_revoke"),
    path("consented/", views.ConsentedView.as_view(), name="consented"),
    path("regulator/", views.DistributionView.as_view(), name="distribution"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
]
