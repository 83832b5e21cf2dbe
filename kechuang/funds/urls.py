from django.urls import path

from . import views, views_repayments

app_name = "funds"
urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/propose/", views.programme_propose, name="programme_propose"),
    path("programmes/<int:pk>/apply/", views.programme_apply, name="programme_apply"),
    path("programmes/<int:pk>/simulate/", views.programme_simulate, name="programme_simulate"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/<str:verb>/", views.claim_action, name="claim_action"),
    path("entitlements/", views.entitlements, name="entitlements"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("claims.xlsx", views.claims_xlsx, name="claims_xlsx"),
]
urlpatterns += [
    path("loans/<int:pk>/repayments/", views_repayments.loan_repayments, name="loan_repayments"),
    path("repayments/import/", views_repayments.repayment_import, name="repayment_import"),
    path("repayments/template.xlsx", views_repayments.repayment_template, name="repayment_template"),
]
