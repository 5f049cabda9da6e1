"""The helpline console, under /console/: sign-in, the queue, a code look-up and each case by its UUID."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from relais.directory import views as directory_views
from relais.evidence import views as evidence_views
from relais.handoffs import views
from relais.second_factor import views as second_factor

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", second_factor.second_factor, {"console": "console"}, name="second_factor"),
    path("second-factor/passkeys/", second_factor.passkey_settings, {"console": "console"}, name="passkeys"),
    path("lookup/", views.lookup, name="lookup"),
    path("pileon-alerts/<uuid:pileon_id>/handled", views.pileon_alert_handled, name="pileon_alert_handled"),
    path("cases/<uuid:case_id>/", views.case_page, name="case"),
    path("cases/<uuid:case_id>/notes", views.add_note, name="note"),
    path("cases/<uuid:case_id>/status", views.change_status, name="status"),
    path("cases/<uuid:case_id>/follow-up", views.follow_up, name="follow_up"),
    path("cases/<uuid:case_id>/assign", views.assign, name="assign"),
    path("cases/<uuid:case_id>/evidence.pdf", evidence_views.case_evidence_pdf, name="evidence_pdf"),
    path("cases/<uuid:case_id>/evidence.zip", evidence_views.case_evidence_zip, name="evidence_zip"),
    path("cases/<uuid:case_id>/evidence/<int:position>", evidence_views.case_picture, name="evidence_picture"),
    path("cases/<uuid:case_id>/escalate", views.escalate, name="escalate"),
    path("settings/", views.wellness_settings, name="settings"),
    path("hours/", directory_views.closures, name="closures"),
    path("hours/<int:closure_id>/end", directory_views.end_closure, name="end_closure"),
    path("figures/", views.figures_page, name="figures"),
]
