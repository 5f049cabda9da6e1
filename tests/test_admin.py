"""Operators correct the directory from the Django admin; help cards follow at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from relais import clock
from relais.directory.models import DirectoryOverride
from relais.directory.services import bump_version

AT_2259 = "2026-11-25T22:59:00+01:00"


@pytest.fixture
def admin_client(db: None) -> Client:
    user = User.objects.create_superuser("ops", "ops@example.org", "a long admin password")
    client = Client()
    client.force_login(user)  # signing in itself (and its lockout) is tested in test_console.py
    return client


def _card(client: Client) -> Any:
    return client.get("/api/v1/help", {"country": "FR", "language": "fr", "age": "14", "at": AT_2259}).json()


def test_an_override_closing_the_3018_phone_changes_the_card(admin_client: Client) -> None:
    assert _card(Client())["primary"]["uri"] == "tel:3018"
    response = admin_client.post(
        "/admin/directory/directoryoverride/add/",
        {"target": "fr-3018-phone", "enabled": "on", "hours": "Mo-Su 09:00-22:00", "reason": "Closing early tonight"},
    )
    assert response.status_code == 302, response.content
    card = _card(Client())
    assert card["primary"]["uri"] == "tel:119"
    assert "+" in card["directory_version"]


def test_an_override_must_name_a_known_id_and_valid_hours(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/directory/directoryoverride/add/",
        {"target": "fr-9999", "enabled": "on", "hours": "whenever", "reason": "?"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "No helpline or channel has this id" in body
    assert "opening_hours syntax" in body
    assert DirectoryOverride.objects.count() == 0


def test_a_disabled_helpline_can_be_enabled_again(admin_client: Client) -> None:
    add = {"target": "fr-3018", "reason": "Outage"}
    assert admin_client.post("/admin/directory/directoryoverride/add/", add).status_code == 302
    assert "fr-3018" not in [h["id"] for h in _card(Client())["helplines"]]
    override = DirectoryOverride.objects.get()
    edit = {"target": "fr-3018", "enabled": "on", "reason": "Back"}
    assert admin_client.post(f"/admin/directory/directoryoverride/{override.pk}/change/", edit).status_code == 302
    assert _card(Client())["primary"]["uri"] == "tel:3018"


def _join_refresh() -> None:
    for thread in threading.enumerate():
        if thread.name == "directory-refresh":
            thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_another_process_picks_up_overrides_in_the_background(settings: Any) -> None:
    """As in a second gunicorn worker: the override is saved elsewhere, a background refresh finds it."""
    from relais.directory.runtime import holder

    settings.RELAIS_DIRECTORY_REFRESH_SECONDS = 0
    holder.reload()
    for hours, primary in [("Mo-Su 09:00-22:00", "tel:119"), ("Mo-Su 09:00-23:30", "tel:3018")]:
        _join_refresh()  # the last read may have started one: let it finish before "another worker" saves
        with transaction.atomic():  # as the admin saves it: the row, and the version every worker polls
            DirectoryOverride.objects.update_or_create(
                target="fr-3018-phone", defaults={"hours": hours, "reason": "another worker saved this"}
            )
            bump_version(clock.now())
        _card(Client())  # due: starts the refresh, answers with what it has
        _join_refresh()
        assert _card(Client())["primary"]["uri"] == primary
