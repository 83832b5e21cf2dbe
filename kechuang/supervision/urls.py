from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("orgs/<int:pk>/", views.OrgDetailView.as_view(), name="org_detail"),
    path("reports/upload/", views.UploadView.as_view(), name="upload"),
    path("reports/uploads/<int:pk>/", views.UploadDetailView.as_view(), name="upload_detail"),
    path("reports/template.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
]
