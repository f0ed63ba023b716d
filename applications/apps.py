from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Submissions"

    def ready(self):
        from applications import receivers

        receivers.connect()
