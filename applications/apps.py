from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Submissions"

    def ready(self):
        from applications import checks, receivers  # noqa: F401 (checks register themselves)

        receivers.connect()
