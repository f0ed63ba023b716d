from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from accounts import identity, languages, opening_key_views, security, views
from accounts.forms import OutboxPasswordResetForm
from accounts.throttles import limited

app_name = "accounts"

urlpatterns = [
    path("language/", languages.language_set, name="language"),
    path("register/", limited("REGISTRATION_RATE")(views.register), name="register"),
    path(
        "verify/new-link/",
        limited("VERIFICATION_RESEND_RATE")(views.verify_resend),
        name="verify_resend",
    ),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify"),
    path("profile/", views.profile, name="profile"),
    path(
        "login/",
        limited("LOGIN_RATE")(views.SignInView.as_view()),
        name="login",
    ),
    path(
        "confirm/",
        limited("LOGIN_RATE", key="user")(identity.confirm_identity),
        name="confirm_identity",
    ),
    # Before django-two-factor-auth's own URLs for the same paths (portal.urls):
    # its profile page is the Security page here.
    path("two_factor/", RedirectView.as_view(pattern_name="accounts:security")),
    path("two_factor/setup/", views.SecondFactorSetupView.as_view(), name="second_factor_setup"),
    path("security/", security.security, name="security"),
    path("security/sessions/<int:pk>/end/", security.end_session, name="end_session"),
    path(
        "security/sign-out-everywhere/",
        security.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path(
        "security/password/",
        limited("LOGIN_RATE", key="user")(security.password_change),
        name="password_change",
    ),
    path(
        "security/opening-key/",
        limited("LOGIN_RATE", key="user")(opening_key_views.opening_key),
        name="opening_key",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        limited("PASSWORD_RESET_RATE")(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                form_class=OutboxPasswordResetForm,
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
