from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.RunListView.as_view(), name="warningrun_list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="warningrun_detail"),
    path("runs/<int:pk>/export.xlsx", views.RunExportView.as_view(), name="warningrun_export"),
    path("runs/<int:pk>/concentration/", views.ConcentrationView.as_view(), name="warningrun_concentration"),
    path("warnings/<int:pk>/", views.WarningDetailView.as_view(), name="warning_detail"),
    path("portfolio/", views.PortfolioView.as_view(), name="portfolio"),
    path("cases/", views.CaseListView.as_view(), name="riskcase_list"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="riskcase_detail"),
    path("backtest/", views.BacktestView.as_view(), name="backtest"),
]
