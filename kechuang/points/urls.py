from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.RunListView.as_view(), name="pointsrun_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="pointsrun_detail"),
    path("runs/<int:pk>/progress/", views.RunProgressView.as_view(), name="pointsrun_progress"),
    path("runs/<int:pk>/export.xlsx", views.RunExportView.as_view(), name="pointsrun_export"),
    path("results/", views.ResultListView.as_view(), name="pointsresult_list"),
    path("enterprises/<int:pk>/", views.EnterprisePointsView.as_view(), name="pointsresult_card"),
    path("models/", views.ModelListView.as_view(), name="pointsmodel_list"),
    path("models/<int:pk>/", views.ModelDetailView.as_view(), name="pointsmodel_detail"),
]
