from django.urls import path

from relais.integrations.discourse import views as discourse
from relais.integrations.mastodon import views as mastodon

urlpatterns = [
    # The opaque connection id, not the platform's slug: the URL says nothing about who it belongs to.
    path("mastodon/<uuid:connection_id>", mastodon.webhook, name="mastodon-webhook"),
    path("discourse/<uuid:connection_id>", discourse.webhook, name="discourse-webhook"),
]
