from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("", views.ImportRunListView.as_view(), name="importrun_list"),
    path("<int:pk>/", views.ImportRunDetailView.as_view(), name="importrun_detail"),
    path("<int:pk>/resume/", views.ImportRunResumeView.as_view(), name="importrun_resume"),
    path("quarantine/<int:pk>/", views.QuarantinedRowView.as_view(), name="quarantinedrow_detail"),
    path("quarantine/<int:pk>/fix/", views.quarantined_row_fix, name="quarantinedrow_fix"),
    path("template/", views.TemplateDownloadView.as_view(), name="template"),
    path("export/", views.ExportView.as_view(), name="export"),
]
