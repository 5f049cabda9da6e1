from django.urls import path

from relais.integrations.mastodon import views as mastodon

urlpatterns = [
    # The opaque connection id, not the platform's slug: the URL says nothing about who it belongs to.
    path("mastodon/<uuid:connection_id>", mastodon.webhook, name="mastodon-webhook"),
]
