from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("consents/", views.ConsentListView.as_view(), name="consent_list"),
    path("consents/grant/", views.ConsentGrantView.as_view(), name="consent_grant"),
    path("consents/<int:pk>/revoke/", views.ConsentRevokeView.as_view(), name="consent_revoke"),
]
