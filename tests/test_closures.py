"""A helpline's supervisor keeps its card true: closures and temporary hours, shown with their reason,
picked up by every worker, ending by themselves, and out of reach of anyone else."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from relais.directory.directory import Closure
from relais.directory.holder import DirectoryHolder
from relais.directory.models import DirectoryChange, DirectoryVersion, HelplineClosure
from relais.directory.routing import HelpRequest, route
from relais.directory.runtime import overrides_from_database, overrides_version
from relais.tenants.models import Role, StaffMember
from relais.tenants.services import add_helpline, add_staff
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
NOON = datetime(2026, 12, 24, 12, 0, tzinfo=PARIS)
REASON = {
    "en": "Closed for Christmas Eve. In danger, call 112.",
    "fr": "Fermé le 24 décembre. En danger, appelez le 112.",
}
CARD = HelpRequest(country="FR", language="en", category="harassment")


def _phone(card: dict[str, Any], helpline: str = "fr-3018") -> dict[str, Any]:
    line = next(h for h in card["helplines"] if h["id"] == helpline)
    return next(c for c in line["channels"] if c["kind"] == "phone")


# --- the rule, pure ------------------------------------------------------------------------------------------


def test_a_closure_closes_every_channel_where_a_person_answers_with_its_reason_in_the_card_language() -> None:
    closure = Closure("fr-3018", NOON - timedelta(hours=1), NOON + timedelta(hours=6), REASON)
    card = route(f.build(*_france_files(), overrides=(closure,)), CARD, NOON).as_json()
    phone = _phone(card)
    assert phone["open_now"] is False
    assert phone["notice"] == REASON["en"]
    # Closed until 18:00, then the usual hours (09:00-23:00) are open again: that is when it opens.
    assert phone["opens_at"] == "2026-12-24T18:00:00+01:00"
    french = route(f.build(*_france_files(), overrides=(closure,)), HelpRequest("FR", "fr", "harassment"), NOON)
    assert _phone(french.as_json())["notice"] == REASON["fr"]
    web = next(c for h in card["helplines"] if h["id"] == "fr-3018" for c in h["channels"] if c["kind"] == "web")
    assert web["open_now"] is True
    assert web["notice"] is None


def test_a_closure_ends_by_itself() -> None:
    closure = Closure("fr-3018", NOON - timedelta(hours=1), NOON + timedelta(hours=1), REASON)
    directory = f.build(*_france_files(), overrides=(closure,))
    after = route(directory, CARD, NOON + timedelta(hours=1)).as_json()
    assert _phone(after)["open_now"] is True
    assert _phone(after)["notice"] is None
    before = route(directory, CARD, NOON - timedelta(hours=2)).as_json()
    assert _phone(before)["open_now"] is True
    assert _phone(before)["closes_at"] == "2026-12-24T11:00:00+01:00"  # the closure's start is a change


def test_temporary_hours_replace_the_usual_ones_while_they_last() -> None:
    closure = Closure(
        "fr-3018-phone", NOON.replace(hour=0), NOON.replace(hour=23, minute=59), REASON, "Mo-Su 10:00-14:00"
    )
    directory = f.build(*_france_files(), overrides=(closure,))
    at_one = _phone(route(directory, CARD, NOON.replace(hour=13)).as_json())
    assert (at_one["open_now"], at_one["closes_at"], at_one["notice"]) == (
        True,
        "2026-12-24T14:00:00+01:00",
        REASON["en"],
    )
    at_four = _phone(route(directory, CARD, NOON.replace(hour=16)).as_json())
    assert at_four["open_now"] is False


def _france_files() -> list[Any]:
    return [
        f.country(
            "FR",
            "Europe/Paris",
            [
                f.helpline(
                    "fr-3018",
                    ["harassment"],
                    [
                        f.channel("phone", "tel:3018", "Mo-Su 09:00-23:00", id="fr-3018-phone"),
                        f.channel("web", "https://3018.fr/", "24/7", id="fr-3018-web"),
                    ],
                )
            ],
        )
    ]


# --- the console ---------------------------------------------------------------------------------------------

PASSWORD = "a long supervisor passphrase"


@pytest.fixture
def staff(db: None, settings: Any) -> dict[str, StaffMember]:
    settings.RELAIS_FAKE_NOW = "2026-12-24T12:00:00+01:00"
    mine, _ = add_helpline(name="3018", directory_id="fr-3018", slug="3018")
    other, _ = add_helpline(name="119", directory_id="fr-119", slug="119")
    return {
        "supervisor": add_staff(username="sami", helpline=mine, role=Role.SUPERVISOR, password=PASSWORD)[0],
        "counsellor": add_staff(username="camille", helpline=mine, password=PASSWORD)[0],
        "other_supervisor": add_staff(username="lou", helpline=other, role=Role.SUPERVISOR, password=PASSWORD)[0],
    }


def signed_in(member: StaffMember, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(member.user)
    return client


CLOSE_THE_LINE = {
    "target": "fr-3018",
    "kind": "closed",
    "hours": "",
    "starts_at": "2026-12-24T11:00",
    "ends_at": "2026-12-24T18:00",
    "reason_fr": REASON["fr"],
    "reason_en": REASON["en"],
}


def _card(client: Client, at: str = "2026-12-24T12:00:00+01:00") -> dict[str, Any]:
    response = client.get("/api/v1/help", {"country": "FR", "language": "en", "category": "harassment", "at": at})
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_closes_the_line_and_another_worker_shows_it_at_its_next_refresh(
    staff: dict[str, StaffMember],
) -> None:
    # A second worker: its own holder over the same database, refreshing as a gunicorn worker does.
    clock = [0.0]
    other_worker = DirectoryHolder(
        overrides=overrides_from_database,
        stamp=overrides_version,
        after_background_refresh=lambda: connection.close(),
        refresh_seconds=lambda: 30,
        monotonic=lambda: clock[0],
    )
    assert _phone(other_worker.current().cards.card_json(CARD, NOON))["open_now"] is True

    response = signed_in(staff["supervisor"]).post(reverse("console:closures"), CLOSE_THE_LINE)
    assert response.status_code == 302

    # This worker reloaded at once (after commit): the very next card shows it.
    assert _phone(_card(Client()))["notice"] == REASON["en"]
    # The other one, once its refresh is due, reads the one-row version, sees it moved, and reloads.
    clock[0] = 31.0
    other_worker.current()
    for thread in threading.enumerate():
        if thread.name == "directory-refresh":
            thread.join(30)
    phone = _phone(other_worker.current().cards.card_json(CARD, NOON))
    assert (phone["open_now"], phone["notice"]) == (False, REASON["en"])
    change = DirectoryChange.objects.get()
    assert (change.action, change.target, change.actor_label) == ("closure_set", "fr-3018", "sami")
    assert DirectoryVersion.objects.get().counter == 1


def test_the_closure_is_shown_in_french_and_ends_by_itself(staff: dict[str, StaffMember]) -> None:
    from relais.directory.runtime import holder

    signed_in(staff["supervisor"]).post(reverse("console:closures"), CLOSE_THE_LINE)
    holder.reload()  # the `db` fixture's transaction never commits, so on_commit does not run
    response = Client().get("/api/v1/help", {"country": "FR", "language": "fr", "at": "2026-12-24T12:00:00+01:00"})
    assert _phone(response.json())["notice"] == REASON["fr"]
    after = _card(Client(), at="2026-12-24T18:00:00+01:00")
    assert (_phone(after)["open_now"], _phone(after)["notice"]) == (True, None)


def test_a_supervisor_can_end_a_closure_early_and_it_is_audited(staff: dict[str, StaffMember]) -> None:
    client = signed_in(staff["supervisor"])
    client.post(reverse("console:closures"), CLOSE_THE_LINE)
    closure = HelplineClosure.objects.get()
    assert client.post(reverse("console:end_closure", args=[closure.pk])).status_code == 302
    closure.refresh_from_db()
    assert closure.ends_at == datetime(2026, 12, 24, 12, 0, tzinfo=PARIS)
    assert [c.action for c in DirectoryChange.objects.order_by("id")] == ["closure_set", "closure_ended"]


def test_another_helplines_supervisor_cannot_touch_it(staff: dict[str, StaffMember]) -> None:
    signed_in(staff["supervisor"]).post(reverse("console:closures"), CLOSE_THE_LINE)
    closure = HelplineClosure.objects.get()
    stranger = signed_in(staff["other_supervisor"])
    assert stranger.post(reverse("console:end_closure", args=[closure.pk])).status_code == 404
    # Nor can they close our line from their own page: the target is not one of theirs.
    response = stranger.post(reverse("console:closures"), CLOSE_THE_LINE)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert HelplineClosure.objects.count() == 1
    assert REASON["en"] not in stranger.get(reverse("console:closures")).content.decode()


def test_a_counsellor_sees_the_page_but_cannot_change_it(staff: dict[str, StaffMember]) -> None:
    signed_in(staff["supervisor"]).post(reverse("console:closures"), CLOSE_THE_LINE)
    closure = HelplineClosure.objects.get()
    counsellor = signed_in(staff["counsellor"])
    page = counsellor.get(reverse("console:closures")).content.decode()
    assert REASON["en"] in page
    assert "Only a supervisor of your helpline can change its hours." in page
    assert counsellor.post(reverse("console:closures"), CLOSE_THE_LINE).status_code == 403
    assert counsellor.post(reverse("console:end_closure", args=[closure.pk])).status_code == 403
    assert HelplineClosure.objects.get().ends_at == closure.ends_at


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"kind": "hours", "hours": "Mo-Fr 10h-16h"}, "hours", "Not valid OpenStreetMap opening_hours syntax"),
        ({"kind": "hours", "hours": ""}, "hours", "Give the temporary hours."),
        ({"ends_at": "2026-12-24T10:00"}, "ends_at", "The end must be after the start."),
        ({"starts_at": "2026-12-20T10:00", "ends_at": "2026-12-21T10:00"}, "ends_at", "The end is already past."),
        ({"reason_fr": ""}, "reason_fr", "This field is required."),
    ],
)
def test_a_wrong_closure_is_refused_naming_the_field(
    staff: dict[str, StaffMember], change: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(staff["supervisor"]).post(reverse("console:closures"), {**CLOSE_THE_LINE, **change})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert not HelplineClosure.objects.exists()


def test_temporary_hours_from_the_console_reach_the_card(staff: dict[str, StaffMember]) -> None:
    from relais.directory.runtime import holder

    body = {**CLOSE_THE_LINE, "target": "fr-3018-phone", "kind": "hours", "hours": "Mo-Su 13:00-14:00"}
    assert signed_in(staff["supervisor"]).post(reverse("console:closures"), body).status_code == 302
    holder.reload()
    phone = _phone(_card(Client()))
    assert (phone["open_now"], phone["opens_at"], phone["notice"]) == (False, "2026-12-24T13:00:00+01:00", REASON["en"])


def test_the_card_still_answers_from_the_last_known_state_when_the_database_is_down(
    staff: dict[str, StaffMember],
) -> None:
    signed_in(staff["supervisor"]).post(reverse("console:closures"), CLOSE_THE_LINE)
    up = [True]

    def version() -> object:
        if not up[0]:
            raise OperationalError("connection refused")  # stands in for the database going away
        return overrides_version()

    clock = [0.0]
    worker = DirectoryHolder(
        overrides=overrides_from_database, stamp=version, refresh_seconds=lambda: 30, monotonic=lambda: clock[0]
    )
    assert _phone(worker.current().cards.card_json(CARD, NOON))["notice"] == REASON["en"]
    up[0] = False
    clock[0] = 31.0
    worker.current()
    for thread in threading.enumerate():
        if thread.name == "directory-refresh":
            thread.join(30)
    phone = _phone(worker.current().cards.card_json(CARD, NOON))
    assert (phone["open_now"], phone["notice"]) == (False, REASON["en"])
