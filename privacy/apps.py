from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        # The start-up check on the retention periods, and the receiver of user_logged_in
        # that calls off an unused account's deletion.
        from django.urls import reverse_lazy

        from applications.answer_keys import register_key_reader
        from privacy import checks, inactivity  # noqa: F401

        # "Download my data" may read the answers this browser sealed (its own copies).
        register_key_reader(reverse_lazy("privacy:data_copy"))
