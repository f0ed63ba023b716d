from django.urls import path

from applications.views import autosave, clarifications, downloads, resumable, submissions

app_name = "applications"

urlpatterns = [
    path("", submissions.dashboard, name="dashboard"),
    path("calls/<int:call_id>/apply/", submissions.apply, name="apply"),
    path("calls/<int:call_id>/ask/", clarifications.ask, name="ask"),
    path("<int:pk>/", submissions.submission_detail, name="submission"),
    path("<int:pk>/receipt/", submissions.submission_receipt, name="receipt"),
    path("<int:pk>/answers/", autosave.answers_save, name="answers_save"),
    path("<int:pk>/uploads/", resumable.start, name="upload_start"),
    path("uploads/<uuid:upload_id>/", resumable.piece, name="upload"),
    path("files/<uuid:file_id>/", downloads.file_download, name="download"),
]
