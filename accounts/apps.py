from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Both connect receivers of user_logged_in.
        from accounts import second_factor, session_limits  # noqa: F401
