from django.urls import path

from . import views, views_people

app_name = "talent"
urlpatterns = [
    path("", views.TeamView.as_view(), name="team"),
    path("people/<int:pk>/", views.PersonView.as_view(), name="person_detail"),
    path("me/", views.MineView.as_view(), name="mine"),
    path("consents/<int:pk>/revoke/", views.ConsentRevokeView.as_view(), name="talentconsent_revoke"),
    path("consented/", views.ConsentedView.as_view(), name="consented"),
    path("regulator/", views.DistributionView.as_view(), name="distribution"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("people/new/", views_people.PersonCreateView.as_view(), name="talentperson_add"),
    path("people/<int:pk>/edit/", views_people.PersonEditView.as_view(), name="talentperson_edit"),
    path("people/import/", views_people.PeopleImportView.as_view(), name="talentperson_import"),
    path("people/import/template.xlsx", views_people.PeopleTemplateView.as_view(), name="talentperson_template"),
    path("people/<int:pk>/consents/new/", views_people.ConsentGrantView.as_view(), name="talentconsent_record"),
    path("consents/new/", views_people.ConsentGrantView.as_view(), name="talentconsent_add"),
    path("runs/<int:pk>/progress/", views_people.valuation_run_progress, name="valuationrun_progress"),
]
