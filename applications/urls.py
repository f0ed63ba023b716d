from django.urls import path

from applications.views import clarifications, downloads, reviews, submissions

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
]
