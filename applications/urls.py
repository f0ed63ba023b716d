from django.urls import path

from applications.views import clarifications, downloads, reviews, sheets, submissions

app_name = "applications"

urlpatterns = [
    path("", submissions.dashboard, name="dashboard"),
    path("calls/<int:call_id>/apply/", submissions.apply, name="apply"),
    path("calls/<int:call_id>/ask/", clarifications.ask, name="ask"),
    path("<int:pk>/", submissions.submission_detail, name="submission"),
    path("<int:pk>/receipt/", submissions.submission_receipt, name="receipt"),
    path("files/<uuid:file_id>/", downloads.file_download, name="download"),
    path("reviews/", reviews.queue, name="review_queue"),
    path("reviews/<int:assignment_id>/", reviews.assignment_detail, name="assignment"),
    path("reviews/calls/<int:call_id>/", reviews.ranking, name="ranking"),
    path("reviews/calls/<int:call_id>/sheet/", sheets.ask, name="sheet_request"),
    path("reviews/sheets/<int:sheet_id>/", sheets.status, name="sheet"),
    path("reviews/sheets/<int:sheet_id>/progress.json", sheets.progress, name="sheet_progress"),
    path("reviews/sheets/<int:sheet_id>/<str:kind>/", sheets.download, name="sheet_download"),
]
