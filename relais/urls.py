from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from relais.api import api
from relais.directory.api import help_view
from relais.directory.views import stale_facts
from relais.integrations.bluesky.views import create_report
from relais.metrics import metrics_view

urlpatterns = [
    # The help card's fast path, ahead of ninja; the ninja operation documents the same endpoint.
    path("api/v1/help", help_view),
    path("api/", api.urls),
    # Before admin.site.urls, whose catch-all would answer it; staff only (staff_member_required).
    path("admin/directory/stale/", stale_facts, name="directory-stale"),
    path("admin/", admin.site.urls),
    # Prometheus, behind RELAIS_METRICS_TOKEN (relais/metrics.py, ADR 0026).
    path("metrics", metrics_view),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/", include("relais.handoffs.urls")),
    path("moderation/", include("relais.moderation.urls")),
    # The reporter's own page, by its private link (relais/reporters, ADR 0017).
    path("r/", include("relais.reporters.urls")),
    # Inbound adapters: the platforms' own webhooks, signed their way (relais/integrations, ADR 0023).
    path("integrations/", include("relais.integrations.urls")),
    # Bluesky's moderation services answer XRPC at the service endpoint's root (ADR 0033); the JWT's `aud`
    # names the connection.
    path("xrpc/com.atproto.moderation.createReport", create_report, name="bluesky-create-report"),
]
if settings.RELAIS_DEMO:
    urlpatterns.append(path("", include("relais.demo.urls")))
