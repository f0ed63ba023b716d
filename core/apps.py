from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import checks, page_cache  # noqa: F401 (checks registers itself)

        page_cache.connect()
