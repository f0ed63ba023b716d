from django.urls import path

from privacy.views import data_copy, erasure

app_name = "privacy"

urlpatterns = [
    path("delete/", erasure.erase_account, name="erase"),
    path("my-data/", data_copy.data_copy, name="data_copy"),
    path("my-data/<str:token>/", data_copy.data_copy_download, name="data_copy_download"),
]
