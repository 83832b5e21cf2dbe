from django.urls import path

from . import views

app_name = "listing"

urlpatterns = [
    path("", views.pool_overview, name="pool_overview"),
    path("runs/new/", views.pool_run_create, name="pool_run_create"),
    path("runs/<int:pk>/progress/", views.pool_run_progress, name="pool_run_progress"),
    path("enterprises/<int:pk>/", views.enterprise_listing, name="enterprise_listing"),
    path("enterprises/<int:pk>/milestones/", views.milestone_create, name="milestone_create"),
]
