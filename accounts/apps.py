from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Each connects receivers of user_logged_in.
        from accounts import reauth, second_factor, session_limits, sessions  # noqa: F401
