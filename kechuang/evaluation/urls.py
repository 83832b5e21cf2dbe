from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.RegulatorOverviewView.as_view(), name="tierplacement_list"),
    path("runs/", views.EvaluationRunListView.as_view(), name="evaluationrun_list"),
    path("runs/<int:pk>/", views.EvaluationRunDetailView.as_view(), name="evaluationrun_detail"),
    path("enterprises/<int:pk>/", views.EvaluationReportView.as_view(), name="evaluationresult_report"),
]
