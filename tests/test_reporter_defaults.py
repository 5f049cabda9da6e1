"""Reporter context platforms don't send: a platform's default country and zone for its reporters (ADR 0019).

No real platform knows where a reporter is. The operator sets it per platform (CLI or admin), a report may
then leave `reporter.country` out, and the card says when it rests on the default (`country_source`).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings

from relais.directory.api_schemas import HelpCardOut
from relais.reports.models import Report
from relais.reports.services import help_request_for
from relais.tenants import reporter_defaults
from relais.tenants.models import Platform
from relais.tenants.services import InvalidPlatformSetting, add_platform, update_platform
from tests.test_api import AT_2259, post, report_body

WITHOUT_COUNTRY = {"language": "fr", "age": 14, "pseudonym": "u-7f3a"}


# --- the defaults' rules, pure ---


@pytest.mark.parametrize(("value", "stored"), [("FR", "FR"), (" fr ", "FR"), ("jp", "JP"), ("", "")])
def test_a_default_country_is_any_real_iso_code_even_one_the_directory_lacks(value: str, stored: str) -> None:
    assert reporter_defaults.reporter_country(value) == stored


@pytest.mark.parametrize("value", ["FRA", "XX", "UK", "F", "12", "France"])
def test_a_default_country_that_is_not_an_iso_code_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="ISO 3166-1 alpha-2"):
        reporter_defaults.reporter_country(value)


def test_a_default_zone_must_be_an_iana_zone() -> None:
    assert reporter_defaults.reporter_timezone("Indian/Reunion") == "Indian/Reunion"
    assert reporter_defaults.reporter_timezone("") == ""
    for wrong in ("Paris", "CET+1", "europe/paris"):
        with pytest.raises(ValueError, match="IANA time zone"):
            reporter_defaults.reporter_timezone(wrong)


@pytest.mark.parametrize(
    ("country", "default_country", "default_zone", "zone"),
    [
        ("FR", "FR", "Indian/Reunion", "Indian/Reunion"),  # the default refines the default country
        ("fr", "FR", "Indian/Reunion", "Indian/Reunion"),
        ("BE", "FR", "Indian/Reunion", None),  # another country keeps its own zone
        ("BE", "", "Indian/Reunion", "Indian/Reunion"),  # a zone without a country is everyone's
        ("FR", "FR", "", None),  # no default zone: the country's
    ],
)
def test_the_platforms_zone_is_for_reporters_of_its_country(
    country: str, default_country: str, default_zone: str, zone: str | None
) -> None:
    assert reporter_defaults.platform_zone(country, default_country=default_country, default_zone=default_zone) == zone


# --- intake ---


def platform_client(**defaults: str) -> tuple[Platform, Client]:
    platform, key = add_platform(name="Reunion Social", **defaults)
    return platform, Client(headers={"Authorization": f"Bearer {key}"})


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_report_with_its_country_says_the_card_is_for_the_reporters_country(api: Client) -> None:
    response = post(api, report_body())
    card = response.json()["help"]
    assert (response.status_code, card["country"], card["country_source"]) == (201, "FR", "reporter")
    assert card["timezone"] == "Europe/Paris"
    assert Report.objects.get().reporter_country_assumed is False


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_a_report_without_a_country_gets_the_platforms_default_and_says_so() -> None:
    _, client = platform_client(reporter_country="FR")
    response = post(client, report_body(reporter=WITHOUT_COUNTRY))
    assert response.status_code == 201, response.content
    card = response.json()["help"]
    assert (card["country"], card["country_source"], card["primary"]["uri"]) == ("FR", "platform_default", "tel:3018")
    assert card["timezone"] == "Europe/Paris"  # no default zone: the country's own
    HelpCardOut.model_validate(card)
    report = Report.objects.get()
    assert (report.reporter_country, report.reporter_country_assumed, report.reporter_timezone) == ("FR", True, "")
    assert report.help_card == card
    # Reading the report back shows the country it was routed to.
    assert client.get(f"/api/v1/reports/{report.id}").json()["reporter"]["country"] == "FR"


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_the_platforms_zone_shows_times_where_its_reporters_are() -> None:
    """A platform for La Réunion: France's helplines, times at UTC+4 (22:59 in Paris is 01:59 there)."""
    _, client = platform_client(reporter_country="FR", reporter_timezone="Indian/Reunion")
    assumed = post(client, report_body(platform_report_id="a", reporter=WITHOUT_COUNTRY)).json()["help"]
    assert (assumed["timezone"], assumed["country_source"]) == ("Indian/Reunion", "platform_default")
    assert assumed["generated_at"] == "2026-11-26T01:59:00+04:00"
    phone = assumed["helplines"][0]["channels"][0]
    assert (assumed["helplines"][0]["id"], phone["closes_at"]) == ("fr-3018", "2026-11-26T02:00:00+04:00")
    # The same country sent by the platform: the same zone. Another country: its own. A zone sent: that one.
    sent = post(client, report_body(platform_report_id="b", reporter={**WITHOUT_COUNTRY, "country": "FR"}))
    assert (sent.json()["help"]["timezone"], sent.json()["help"]["country_source"]) == ("Indian/Reunion", "reporter")
    belgian = post(client, report_body(platform_report_id="c", reporter={**WITHOUT_COUNTRY, "country": "BE"}))
    assert belgian.json()["help"]["timezone"] == "Europe/Brussels"
    own = {**WITHOUT_COUNTRY, "timezone": "America/Cayenne"}
    assert post(client, report_body(platform_report_id="d", reporter=own)).json()["help"]["timezone"] == (
        "America/Cayenne"
    )
    assert dict(Report.objects.values_list("platform_report_id", "reporter_country_assumed")) == {
        "a": True,
        "b": False,
        "c": False,
        "d": True,
    }


@pytest.mark.django_db
def test_a_default_country_the_directory_lacks_gets_the_fallback_card() -> None:
    _, client = platform_client(reporter_country="JP")
    card = post(client, report_body(reporter=WITHOUT_COUNTRY)).json()["help"]
    assert (card["country"], card["fallback"], card["country_source"]) == ("JP", True, "platform_default")
    # Japan's own emergency numbers (libphonenumber's short-number data, ADR 0036), not 112 alone
    assert [e["uri"] for e in card["emergency"]][:2] == ["tel:110", "tel:119"]


@pytest.mark.django_db
@pytest.mark.parametrize("reporter", [WITHOUT_COUNTRY, {**WITHOUT_COUNTRY, "country": None}])
def test_without_a_country_or_a_default_the_report_is_a_422_naming_reporter_country(
    api: Client, reporter: dict[str, Any]
) -> None:
    response = post(api, report_body(reporter=reporter))
    assert response.status_code == 422
    data = response.json()
    assert [e["field"] for e in data["errors"]] == ["reporter.country"]
    message = data["errors"][0]["message"]
    assert "ISO 3166-1 alpha-2" in message
    assert "relais platform set sunny-social --reporter-country" in message
    assert "reporter.country" in data["detail"]
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_retry_without_a_country_replays_the_first_card_and_its_source() -> None:
    _, client = platform_client(reporter_country="FR")
    with time_machine.travel(AT_2259, tick=False):
        first = post(client, report_body(reporter=WITHOUT_COUNTRY))
    with time_machine.travel("2026-11-25T23:30:00+01:00", tick=False):
        again = post(client, report_body(reporter=WITHOUT_COUNTRY))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["help"] == first.json()["help"]
    assert again.json()["help"]["country_source"] == "platform_default"


@pytest.mark.django_db(transaction=True)  # the failure must not poison a test-wide transaction
@time_machine.travel(AT_2259, tick=False)
def test_when_storage_fails_the_card_still_rests_on_the_default_and_says_so() -> None:
    _, client = platform_client(reporter_country="FR")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE reports_report RENAME TO reports_report_away")
    try:
        response = post(client, report_body(reporter=WITHOUT_COUNTRY))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE reports_report_away RENAME TO reports_report")
    assert response.status_code == 503
    card = response.json()["help"]
    assert (card["country"], card["country_source"], card["primary"]["uri"]) == ("FR", "platform_default", "tel:3018")


@pytest.mark.django_db(transaction=True)
@time_machine.travel(AT_2259, tick=False)
def test_when_the_key_cannot_be_checked_a_report_without_a_country_gets_general_help() -> None:
    """Database down and the key not remembered: the platform and its default are unknown. Help first: the
    general card (112, worldwide directories), flagged `unknown`, never a 422 the platform could not act on."""
    _, client = platform_client(reporter_country="FR")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE tenants_apikey RENAME TO tenants_apikey_away")
    try:
        response = post(client, report_body(reporter=WITHOUT_COUNTRY))
        with_country = post(client, report_body(reporter={**WITHOUT_COUNTRY, "country": "FR"}))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tenants_apikey_away RENAME TO tenants_apikey")
    assert response.status_code == 503
    card = response.json()["help"]
    assert (card["country"], card["fallback"], card["country_source"]) == ("XX", True, "unknown")
    assert card["emergency"][0]["uri"] == "tel:112"
    HelpCardOut.model_validate(card)
    assert with_country.json()["help"]["country_source"] == "reporter"


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
@time_machine.travel(AT_2259, tick=False)
def test_a_refused_report_without_a_country_carries_the_defaults_card() -> None:
    _, client = platform_client(reporter_country="FR")
    first = post(client, report_body(platform_report_id="first", reporter=WITHOUT_COUNTRY))
    refused = post(client, report_body(platform_report_id="second", reporter=WITHOUT_COUNTRY))
    assert (first.status_code, refused.status_code) == (201, 429)
    assert refused.json()["help"] == first.json()["help"]
    assert refused.json()["help"]["country_source"] == "platform_default"


@pytest.mark.django_db
@override_settings(RELAIS_RATE_LIMIT="1/minute")
@time_machine.travel(AT_2259, tick=False)
def test_a_refused_report_with_no_country_anywhere_gets_a_plain_429(api: Client) -> None:
    assert post(api, report_body(platform_report_id="first")).status_code == 201
    refused = post(api, report_body(platform_report_id="second", reporter=WITHOUT_COUNTRY))
    assert refused.status_code == 429
    assert "help" not in refused.json()


@pytest.mark.django_db
def test_a_changed_default_reaches_intake_in_this_process_at_once(django_capture_on_commit_callbacks: Any) -> None:
    platform, client = platform_client()
    assert post(client, report_body(platform_report_id="a", reporter=WITHOUT_COUNTRY)).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        update_platform(platform=platform, reporter_country="BE")
    card = post(client, report_body(platform_report_id="b", reporter=WITHOUT_COUNTRY)).json()["help"]
    assert (card["country"], card["country_source"]) == ("BE", "platform_default")


def test_the_help_endpoint_still_needs_a_country(client: Client) -> None:
    response = client.get("/api/v1/help", {"language": "fr"})
    assert response.status_code == 422
    assert "country_source" not in client.get("/api/v1/help", {"country": "FR"}).json()


def test_openapi_says_the_country_is_optional_and_what_country_source_means(client: Client) -> None:
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "country" not in schemas["ReporterIn"]["required"]
    assert "platform" in schemas["ReporterIn"]["properties"]["country"]["description"]
    source = schemas["HelpCardOut"]["properties"]["country_source"]
    assert source["enum"] == ["reporter", "platform_default", "unknown"]
    assert "country_source" not in schemas["HelpCardOut"]["required"]
    assert "default" in source["description"]


# --- the reporter's page: the card from a stored report ---


@pytest.mark.django_db
def test_help_request_for_rebuilds_the_routing_request_from_a_stored_report() -> None:
    _, client = platform_client(reporter_country="FR", reporter_timezone="Indian/Reunion")
    body = report_body(category="threat", danger="immediate", reporter=WITHOUT_COUNTRY)
    post(client, body)
    report = Report.objects.select_related("platform").get()
    request = help_request_for(report, presentation="link")
    assert (request.country, request.language, request.age, request.timezone) == ("FR", "fr", 14, "Indian/Reunion")
    assert (request.category, request.danger, request.presentation) == ("threat", "immediate", "link")
    # The reporter says they are in Belgium: Belgium's help, in Belgium's zone (the default zone is France's).
    chosen = help_request_for(report, presentation="call_button", country="be")
    assert (chosen.country, chosen.timezone, chosen.presentation) == ("BE", None, "call_button")


@pytest.mark.django_db
@time_machine.travel(AT_2259, tick=False)
def test_help_request_for_gives_intakes_card(api: Client) -> None:
    from relais.directory.runtime import current

    sent = report_body(reporter={"country": "FR", "language": "fr", "age": 14, "timezone": "America/Cayenne"})
    card = post(api, sent).json()["help"]
    report = Report.objects.select_related("platform").get()
    again = current().cards.card_json(help_request_for(report, presentation="call_button"), report.received_at)
    assert {**again, "country_source": "reporter"} == card


# --- the operator: CLI and admin ---


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("platform", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_platform_add_sets_the_reporters_defaults() -> None:
    printed = run("add", "Reunion Social", "--reporter-country", "fr", "--reporter-timezone", "Indian/Reunion")
    platform = Platform.objects.get(slug="reunion-social")
    assert (platform.reporter_country, platform.reporter_timezone) == ("FR", "Indian/Reunion")
    assert "default country FR, zone Indian/Reunion" in printed
    assert "not in the directory" in run("add", "Tokyo Social", "--reporter-country", "JP")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--reporter-country", "FRA", "ISO 3166-1 alpha-2"),
        ("--reporter-country", "UK", "ISO 3166-1 alpha-2"),
        ("--reporter-timezone", "Paris", "IANA time zone"),
    ],
)
def test_platform_add_and_set_name_the_option_of_a_bad_value(option: str, value: str, message: str) -> None:
    with pytest.raises(CommandError, match=f"^{option}: '{value}' is not an .*{message}"):
        run("add", "Bad Social", option, value)
    assert not Platform.objects.exists()
    run("add", "Good Social")
    with pytest.raises(CommandError, match=f"^{option}: '{value}' is not an .*{message}"):
        run("set", "good-social", option, value)
    assert Platform.objects.get().reporter_country == ""


@pytest.mark.django_db
def test_platform_set_prints_what_changed_and_list_shows_the_defaults() -> None:
    run("add", "Sunny Social")
    printed = run("set", "sunny-social", "--reporter-country", "FR", "--reporter-timezone", "Indian/Reunion")
    assert "sunny-social: reporter_country (none) → FR" in printed
    assert "sunny-social: reporter_timezone (none) → Indian/Reunion" in printed
    assert "RELAIS_API_KEY_CACHE_SECONDS" in printed
    assert "nothing changed" in run("set", "sunny-social", "--reporter-country", "fr")
    assert "sunny-social\tSunny Social\tcall_button\tFR\tIndian/Reunion" in run("list")
    printed = run("set", "sunny-social", "--no-reporter-country", "--presentation", "link", "--name", "Sunny")
    assert "presentation call_button → link" in printed
    assert "reporter_country FR → (none)" in printed
    assert "name Sunny Social → Sunny" in printed
    assert "sunny-social\tSunny\tlink\t-\tIndian/Reunion" in run("list")
    assert "reporter_timezone Indian/Reunion → (none)" in run("set", "sunny-social", "--no-reporter-timezone")


@pytest.mark.django_db
def test_platform_set_refuses_an_unknown_platform_contradictions_and_a_blank_name() -> None:
    run("add", "Sunny Social")
    with pytest.raises(CommandError, match="no platform 'nope'"):
        run("set", "nope", "--reporter-country", "FR")
    with pytest.raises(CommandError, match="not allowed with"):
        run("set", "sunny-social", "--reporter-country", "FR", "--no-reporter-country")
    with pytest.raises(CommandError, match=r"^--name: must not be blank"):
        run("set", "sunny-social", "--name", " ")
    with pytest.raises(CommandError, match="--presentation"):
        run("set", "sunny-social", "--presentation", "popup")


@pytest.mark.django_db
def test_the_service_names_the_field_it_refuses() -> None:
    platform, _ = add_platform(name="Sunny Social")
    with pytest.raises(InvalidPlatformSetting) as refused:
        update_platform(platform=platform, reporter_timezone="Mars/Olympus")
    assert refused.value.field == "reporter_timezone"


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("ops", "ops@example.org", "a long admin password"))
    return client


def admin_form(platform: Platform, **changes: str) -> dict[str, str]:
    form = {
        "slug": platform.slug,
        "name": platform.name,
        "presentation": platform.presentation,
        "country": platform.country,
        "zone": platform.zone,
        "reporter_country": platform.reporter_country,
        "reporter_timezone": platform.reporter_timezone,
        "api_keys-TOTAL_FORMS": "1",
        "api_keys-INITIAL_FORMS": "1",
        "api_keys-MIN_NUM_FORMS": "0",
        "api_keys-MAX_NUM_FORMS": "1000",
        "api_keys-0-id": str(platform.api_keys.get().pk),
        "api_keys-0-platform": str(platform.pk),
        "api_keys-0-revoked_at_0": "",
        "api_keys-0-revoked_at_1": "",
    }
    return {**form, **changes}


@pytest.mark.django_db
def test_the_admin_edits_the_reporters_defaults_with_help_and_refuses_bad_ones(admin_client: Client) -> None:
    platform, _ = add_platform(name="Sunny Social")
    url = f"/admin/tenants/platform/{platform.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="reporter_country"' in page
    assert 'name="reporter_timezone"' in page
    assert "Never guessed from an IP address" in page
    refused = admin_client.post(url, admin_form(platform, reporter_country="UK", reporter_timezone="Paris"))
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "is not an ISO 3166-1 alpha-2 country code" in body
    assert "is not an IANA time zone name" in body
    saved = admin_client.post(url, admin_form(platform, reporter_country="fr", reporter_timezone="Indian/Reunion"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    platform.refresh_from_db()
    assert (platform.reporter_country, platform.reporter_timezone) == ("FR", "Indian/Reunion")
