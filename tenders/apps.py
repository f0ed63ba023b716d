from django.apps import AppConfig


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = "Calls"

    def ready(self):
        from tenders import receivers

        receivers.connect()
