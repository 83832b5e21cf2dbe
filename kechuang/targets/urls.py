from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("import/", views.ImportView.as_view(), name="plan_import"),
    path("templates/<str:kind>.xlsx", views.TemplateDownloadView.as_view(), name="plan_template"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/check/<int:year>/", views.TargetCheckView.as_view(), name="plan_check"),
    path("indicators/<int:pk>/actuals/", views.ActualCreateView.as_view(), name="indicatorvalue_add"),
    path("indicators/<int:pk>/live/", views.LiveLinkView.as_view(), name="indicator_live_link"),
    path("indicators/<int:pk>/actions/", views.ActionCreateView.as_view(), name="task_add_action"),
    path("flags/", views.FlagListView.as_view(), name="valueflag_list"),
    path("flags/<int:pk>/resolve/", views.FlagResolveView.as_view(), name="valueflag_resolve"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("scorecards/", views.ScorecardView.as_view(), name="unit_scorecard"),
    path("units/<int:pk>/link/", views.UnitLinkView.as_view(), name="unit_link"),
    path("cockpit/", views.CockpitView.as_view(), name="cockpit"),
    path("cockpit/print/", views.CockpitPrintView.as_view(), name="cockpit_print"),
    path("index/", views.IndexReportView.as_view(), name="index_report"),
]
