"""The moderation console, under /moderation/: sign-in, the queue, each notice by its UUID, appeals, statements."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _

from relais.moderation import transparency_views, views
from relais.second_factor import views as second_factor

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            next_page="moderation:queue",
            extra_context={
                **views.SIGN_IN,
                "login_title": _("Sign in to the moderation console"),
                "login_intro": _(
                    "For a platform's moderators: the notices your users and trusted flaggers send about content on "
                    "your platform."
                ),
            },
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="moderation:login"), name="logout"),
    path("second-factor/", second_factor.second_factor, {"console": "moderation"}, name="second_factor"),
    path("second-factor/passkeys/", second_factor.passkey_settings, {"console": "moderation"}, name="passkeys"),
    path("decided/", views.decided, name="decided"),
    path("notices/close", views.bulk_close, name="bulk_close"),
    path("pileons/<uuid:pileon_id>/", views.pileon_page, name="pileon"),
    path("pileons/<uuid:pileon_id>/close", views.pileon_close, name="pileon_close"),
    path("notices/<uuid:notice_id>/", views.notice_page, name="notice"),
    path("notices/<uuid:notice_id>/claim", views.claim, name="claim"),
    path("notices/<uuid:notice_id>/release", views.release, name="release"),
    path("notices/<uuid:notice_id>/decide", views.decide, name="decide"),
    path("notices/<uuid:notice_id>/pictures/<int:position>", views.picture, name="picture"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<uuid:appeal_id>/", views.appeal_page, name="appeal"),
    path("statements/", views.statements, name="statements"),
    path("settings/", views.wellness_settings, name="settings"),
    path("figures/", views.figures_page, name="figures"),
    path("transparency/", transparency_views.transparency_page, name="transparency"),
    path("transparency/report.csv", transparency_views.transparency_csv, name="transparency_csv"),
]
