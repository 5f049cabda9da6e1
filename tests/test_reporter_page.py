"""The reporter's private page over HTTP against the real database: the link in the report's answer, what the
page shows and lets the reporter do, and what a wrong, changed or revoked link gets (issue 12, ADR 0017)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from relais.handoffs import case_codes
from relais.handoffs.models import Case
from relais.logs import RedactingGunicornLogger, redact
from relais.moderation.models import Appeal, Notice
from relais.reports.models import Report
from relais.tenants.services import add_helpline, update_platform
from tests.test_api import report_body
from tests.test_moderation_api import NO_ACTION, RESTRICT, World, call, decide, ok
from tests.test_moderation_api import world as world

NIGHT = datetime.fromisoformat("2026-11-25T23:30:00+01:00")
"""The 3018 is closed (09:00 to 23:00 Paris time); the 119 answers."""
DAY = datetime.fromisoformat("2026-11-25T15:00:00+01:00")
TOKEN = re.compile(r"/r/([A-Za-z0-9_-]{43})$")


def reported(w: World, ident: str = "r-1", **changes: Any) -> dict[str, Any]:
    return dict(ok(call(w.api, "post", "/reports", report_body(platform_report_id=ident, **changes)), 201))


def path_of(url: str) -> str:
    match = TOKEN.search(url)
    assert match, url
    return f"/r/{match.group(1)}"


def page(path: str, client: Client | None = None, **headers: str) -> Any:
    return (client or Client()).get(path, headers=headers)


def post(path: str, data: dict[str, Any], client: Client | None = None) -> Any:
    return (client or Client()).post(path, data)


@pytest.mark.django_db
def test_every_stored_report_answers_with_a_private_link_and_a_retry_with_the_same(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        first = reported(world)
        again = ok(call(world.api, "post", "/reports", report_body(platform_report_id="r-1")), 200)
    url = first["reporter_url"]
    assert url.startswith("http://testserver/r/")
    token = path_of(url).removeprefix("/r/")
    assert first["id"] not in url
    assert first["id"].replace("-", "") not in token
    assert again["reporter_url"] == url
    assert ok(call(world.api, "get", f"/reports/{first['id']}"))["reporter_url"] == url
    stored = Report.objects.get(id=first["id"])
    assert token not in str(stored.__dict__)  # only a digest is kept
    response = page(path_of(url))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_page_is_private_and_its_title_says_nothing_of_the_report(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        response = page(path)
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert re.search(r"<title>Relais</title>", html)
    assert 'content="no-referrer"' in html
    # Nothing is loaded from anywhere else: every script and stylesheet is ours.
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
        assert src.startswith("/static/"), src
    assert "Quitter vite" in html  # the report is in French


@pytest.mark.django_db
def test_a_changed_character_a_missing_and_a_revoked_link_are_the_same_404(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        report = reported(world)
        other = reported(world, "r-2")
    path = path_of(report["reporter_url"])
    changed = path[:-1] + ("A" if path[-1] != "A" else "B")
    missing = page("/r/" + "x" * 43)
    assert page(changed).status_code == missing.status_code == 404
    assert page(changed).content == missing.content
    assert page("/r/short").content == missing.content

    assert call(world.api, "delete", f"/reports/{report['id']}/reporter-url").status_code == 204
    assert page(path).status_code == 404
    assert page(path).content == missing.content
    assert page(path_of(other["reporter_url"])).status_code == 200  # another report's link is untouched
    assert ok(call(world.api, "get", f"/reports/{report['id']}"))["reporter_url"] is None

    renewed = ok(call(world.api, "post", f"/reports/{report['id']}/reporter-url"), 201)["reporter_url"]
    assert renewed != report["reporter_url"]
    assert page(path_of(renewed)).status_code == 200
    assert page(path).status_code == 404  # the old link stays dead
    assert ok(call(world.api, "post", f"/reports/{report['id']}/reporter-url"), 200)["reporter_url"] == renewed
    # Another platform's report is not found, and its link is not issued again.
    assert call(world.other, "delete", f"/reports/{report['id']}/reporter-url").status_code == 404
    assert call(world.other, "post", f"/reports/{report['id']}/reporter-url").status_code == 404
    assert page(path_of(renewed)).status_code == 200


@pytest.mark.django_db
def test_wrong_links_are_limited_per_address_before_any_lookup(world: World, settings: SettingsWrapper) -> None:
    settings.RELAIS_REPORTER_PAGE_RATE_LIMIT = "3/hour"
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(3):
        assert guesser.get(f"/r/{'g' * 42}{i}").status_code == 404
    refused = guesser.get(path)  # even the right link: a refused address learns nothing
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.7").get(path).status_code == 200  # another address is not held back


@pytest.mark.django_db
def test_one_reports_page_never_shows_another_reports_code(world: World) -> None:
    add_helpline(name="Other line", directory_id="fr-119")
    with time_machine.travel(DAY, tick=False):
        mine = path_of(reported(world, "mine")["reporter_url"])
        theirs = path_of(reported(world, "theirs")["reporter_url"])
        assert post(theirs, {"action": "share", "helpline_id": "fr-3018", "consent": "yes"}).status_code == 303
    code = Case.objects.get().code
    assert case_codes.display(code) in page(theirs).content.decode()
    mine_page = page(mine).content.decode()
    assert case_codes.display(code) not in mine_page
    assert code not in mine_page


@pytest.mark.django_db
def test_at_night_the_page_says_the_3018_is_closed_and_when_it_opens(world: World) -> None:
    with time_machine.travel(NIGHT, tick=False):
        path = path_of(reported(world)["reporter_url"])
        french = page(path).content.decode()
        assert post(path, {"action": "language", "language": "en"}).status_code == 303
        english_client = Client()
        english_client.cookies["relais_reporter_language"] = "en"
        english = page(path, english_client).content.decode()
    assert "Le 3018 ouvre demain à 09:00." in french
    assert "The 3018 opens tomorrow at 09:00." in english
    # The big button is what is open now, said after the closed line.
    assert french.index("ouvre demain") < french.index('class="primary-action')
    with time_machine.travel(DAY, tick=False):
        assert "ouvre demain" not in page(path).content.decode()  # computed when the page is opened


@pytest.mark.django_db
def test_sharing_from_the_page_records_the_consent_and_keeps_the_code_until_stopped(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        before = page(path).content.decode()
        assert "Partager mon signalement avec le 3018" in before

        refused = post(path, {"action": "share", "helpline_id": "fr-3018", "scope": ["content"]})
        assert refused.status_code == 422
        assert 'href="#field-consent"' in refused.content.decode()
        assert not Case.objects.exists()

        done = post(path, {"action": "share", "helpline_id": "fr-3018", "scope": ["content"], "consent": "yes"})
        assert done.status_code == 303
        assert done["Location"].startswith(path)
        case = Case.objects.select_related("consent").get()
        assert case.consent.scope == ["content", "report"]
        assert case.consent.text_version == "reporter-page-share-1.fr"
        for _ in range(2):  # a reload shows it again
            shown = page(path).content.decode()
            assert "Ton code pour le 3018" in shown
            assert case_codes.display(case.code) in shown
        assert post(path, {"action": "withdraw"}).status_code == 303
        case.refresh_from_db()
        assert case.withdrawn_at is not None
        assert "Ton code pour le 3018" not in page(path).content.decode()


@pytest.mark.django_db
def test_the_timeline_follows_the_decision_and_the_reporter_can_appeal_it(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        report = reported(world)
        path = path_of(report["reporter_url"])
        assert "n'a pas encore décidé" in page(path).content.decode()
        notice = str(Notice.objects.get(report_id=report["id"], source="article_16").id)
        decide(world, notice, NO_ACTION)
        shown = page(path).content.decode()
        assert "a décidé" in shown
        assert "Tu peux contester jusqu'au mardi 25 mai 2027." in shown
        assert "no_action" not in shown
        assert "NO_ACTION" not in shown

        empty = post(path, {"action": "appeal", "decision_id": "nope", "reason": "x"})
        assert empty.status_code == 422
        decision_id = re.search(r'name="decision_id" value="([^"]+)"', shown)
        assert decision_id
        sent = post(
            path, {"action": "appeal", "decision_id": decision_id.group(1), "reason": "Ça continue tous les jours."}
        )
        assert sent.status_code == 303
        appeal = Appeal.objects.get()
        assert appeal.appellant == "reporter"
        assert appeal.reason == "Ça continue tous les jours."
        after = page(path).content.decode()
        assert 'name="decision_id"' not in after  # one appeal at a time
    ok(
        call(
            world.api,
            "post",
            f"/moderation/appeals/{appeal.id}/decision",
            {
                "moderator": "mod-b",
                "reverse": True,
                "explanation": "The insults are repeated.",
                "decision": {**RESTRICT},
            },
        )
    )
    with time_machine.travel(DAY + timedelta(hours=1), tick=False):
        final = page(path).content.decode()
    assert "Ta contestation a été acceptée : la décision a changé." in final


@pytest.mark.django_db
def test_the_reporter_picks_their_country_and_the_card_follows(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        assert "tel:3018" in page(path).content.decode()
        assert post(path, {"action": "country", "country": "ZZ"}).status_code == 422
        assert post(path, {"action": "country", "country": "BE"}).status_code == 303
        shown = page(path).content.decode()
    assert "tel:3018" not in shown
    assert Report.objects.get().reporter_country == "BE"


@pytest.mark.django_db
def test_the_evidence_pack_downloads_under_a_neutral_name(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
        response = page(f"{path}/pack.pdf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="relais.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_a_link_never_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with time_machine.travel(DAY, tick=False):
        path = path_of(reported(world)["reporter_url"])
    wrong = path[:-1] + ("A" if path[-1] != "A" else "B")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert page(wrong).status_code == 404
    token = wrong.removeprefix("/r/")
    handler = logging.getLogger().handlers[0]
    for record in caplog.records:
        for log_filter in handler.filters:
            log_filter.filter(record)  # type: ignore[union-attr]
        assert token not in record.getMessage()
    assert redact(f'"GET {path} HTTP/1.1"') == '"GET /r/[redacted] HTTP/1.1"'


def test_gunicorn_access_lines_carry_no_link() -> None:
    class Request:
        method = "GET"
        path = "/r/" + "a" * 43
        query = ""
        version = (1, 1)
        headers: list[tuple[str, str]] = [("REFERER", "https://relais.example/r/" + "a" * 43)]

    class Response:
        status = "200 OK"
        sent = 10
        headers: list[tuple[str, str]] = []

    from datetime import timedelta as _timedelta

    from gunicorn.config import Config

    environ = {
        "RAW_URI": "/r/" + "a" * 43,
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/r/" + "a" * 43,
    }
    atoms = RedactingGunicornLogger(Config()).atoms(Response(), Request(), environ, _timedelta(seconds=0.01))
    assert "a" * 43 not in " ".join(str(v) for v in atoms.values())


@pytest.mark.django_db
def test_the_page_says_when_the_country_was_the_platforms_guess_and_the_reporter_corrects_it(world: World) -> None:
    update_platform(platform=world.platform, reporter_country="FR", reporter_timezone="Europe/Paris")
    body = report_body(platform_report_id="no-country", reporter={"language": "fr", "age": 14})
    with time_machine.travel(DAY, tick=False):
        answer = ok(call(world.api, "post", "/reports", body), 201)
        assert answer["help"]["country_source"] == "platform_default"
        path = path_of(answer["reporter_url"])
        assert "choisi pour toi par Sunny Social" in page(path).content.decode()
        assert post(path, {"action": "country", "country": "BE"}).status_code == 303
        shown = page(path).content.decode()
    assert "choisi pour toi" not in shown
    assert Report.objects.get(platform_report_id="no-country").reporter_country_assumed is False
