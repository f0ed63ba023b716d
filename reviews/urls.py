from django.urls import path

from reviews.views import compliance, registers, report, reviews, sheets

app_name = "reviews"

urlpatterns = [
    path("", reviews.queue, name="queue"),
    path("<int:assignment_id>/", reviews.assignment_detail, name="assignment"),
    path("calls/<int:call_id>/", reviews.ranking, name="ranking"),
    path("calls/<int:call_id>/compliance/", compliance.compliance, name="compliance"),
    path("calls/<int:call_id>/sheet/", sheets.ask, name="sheet_request"),
    path("calls/<int:call_id>/report/", report.report, name="report"),
    path("calls/<int:call_id>/register/", registers.register, name="register"),
    path(
        "calls/<int:call_id>/financial-register/",
        registers.financial_register,
        name="financial_register",
    ),
    path("sheets/<int:sheet_id>/", sheets.status, name="sheet"),
    path("sheets/<int:sheet_id>/progress.json", sheets.progress, name="sheet_progress"),
    path("sheets/<int:sheet_id>/<str:kind>/", sheets.download, name="sheet_download"),
]
