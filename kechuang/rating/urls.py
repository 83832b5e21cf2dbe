from django.urls import path

from . import views

app_name = "rating"
urlpatterns = [
    path("", views.RunListView.as_view(), name="ratingrun_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="ratingrun_detail"),
    path("runs/<int:pk>/export.xlsx", views.RunExportView.as_view(), name="ratingrun_export"),
    path("results/", views.ResultListView.as_view(), name="ratingresult_list"),
    path("enterprises/<int:pk>/", views.EnterpriseRatingView.as_view(), name="ratingresult_card"),
    path("models/", views.ModelListView.as_view(), name="ratingmodel_list"),
    path("models/training/<int:pk>/", views.TrainingView.as_view(), name="training_detail"),
    path("models/<int:pk>/", views.ModelDetailView.as_view(), name="ratingmodel_detail"),
]
