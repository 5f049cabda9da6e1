"""Passkeys over HTTP (ADR 0031, passkeys addendum): a software authenticator signs real WebAuthn answers and
py_webauthn checks them: enrolment, sign-in, replays, expiry, a copied key's counter, garbage, lockouts, the
settings page, and the site the passkeys belong to."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais import clock
from relais.second_factor.models import PasskeyDevice
from relais.second_factor.relying_party import relying_party
from tests.software_authenticator import SoftwareAuthenticator
from tests.test_console import PASSWORD, World, world  # noqa: F401 - the fixture
from tests.test_second_factor import code_now, enrol, sign_in

pytestmark = pytest.mark.django_db
STEP = "/console/second-factor/"
GARBAGE = [
    "not json",
    "",
    "null",
    "[]",
    "{}",
    '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}',
    '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "%%%", '
    '"authenticatorData": "!!", "signature": "", "attestationObject": "@@"}}',
    '{"id": 5, "rawId": [1, 2], "type": "public-key", "response": {"clientDataJSON": 7}}',
]


@pytest.fixture
def required(settings: Any) -> None:
    settings.RELAIS_REQUIRE_SECOND_FACTOR = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.OTP_PASSKEY_THROTTLE_FACTOR = 0


def text(response: Any) -> str:
    """The page as a person reads it: `&#x27;` back to an apostrophe."""
    return html.unescape(str(response.content.decode()))


def options_on(page: Any) -> dict[str, Any]:
    found = re.search(r'<script id="passkey-options" type="application/json">(.*?)</script>', page.content.decode())
    assert found is not None, "the page carries no passkey options"
    options: dict[str, Any] = json.loads(found.group(1))
    return options


def enrol_passkey(client: Client, key: SoftwareAuthenticator) -> Any:
    page = client.get(STEP)
    assert page.status_code == 200
    return client.post(STEP, {"passkey": key.create(options_on(page)), "next": "/console/"})


def signed_in_again(username: str = "camille") -> tuple[Client, dict[str, Any]]:
    client, _ = sign_in(username)
    page = client.get(STEP)
    assert page.status_code == 200
    return client, options_on(page)


def test_first_sign_in_offers_a_passkey_first_and_the_app_without_script(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    body = text(client.get(STEP))
    passkey_form, app_form = body.index('data-passkey="register"'), body.index('id="totp-secret"')
    assert passkey_form < app_form
    # Without the script the passkey's form stays hidden, and the app's key and code field are there.
    assert re.search(r'<form[^>]*class="panel passkey" hidden', body)
    assert 'src="/static/second_factor/passkey.js"' in body
    assert "<script>" not in body  # only the file and a JSON data block: the CSP allows no inline script
    options = options_on(client.get(STEP))
    assert options["rp"] == {"id": "testserver", "name": "Relais"}
    assert options["user"]["name"] == "camille"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"


def test_a_passkey_enrolled_on_first_sign_in_opens_the_console_and_signs_in_next_time(
    world: World, required: None
) -> None:
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    done = enrol_passkey(client, key)
    assert done.status_code == 200
    body = text(done)
    assert "Your passkey is set up." in body
    assert len(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", body)) == 10
    assert client.get(reverse("console:queue")).status_code == 200
    device = PasskeyDevice.objects.get(user=world.counsellor.user)
    assert (bytes(device.credential_id), device.transports, device.confirmed) == (key.credential_id, ["internal"], True)
    assert not TOTPDevice.objects.filter(user=world.counsellor.user).exists()  # the app's unused key is gone

    client.post(reverse("console:logout"))
    client, options = signed_in_again()
    assert [item["id"] for item in options["allowCredentials"]] == [
        re.sub("=+$", "", __import__("base64").urlsafe_b64encode(key.credential_id).decode())
    ]
    assert options["rpId"] == "testserver"
    answer = client.post(STEP, {"passkey": key.get(options), "next": "/console/"})
    assert (answer.status_code, answer["Location"]) == (302, "/console/")
    assert client.get(reverse("console:queue")).status_code == 200
    device.refresh_from_db()
    assert device.sign_count == 1
    assert device.last_used_at is not None


def test_an_answer_works_once_and_a_challenge_expires(world: World, required: None, settings: Any) -> None:
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    enrol_passkey(client, key)
    client.post(reverse("console:logout"))

    client, options = signed_in_again()
    answer = key.get(options)
    assert client.post(STEP, {"passkey": answer}).status_code == 302
    client.post(reverse("console:logout"))
    client, _ = signed_in_again()  # a new challenge: the old answer signed the old one
    replay = client.post(STEP, {"passkey": answer})
    assert replay.status_code == 422
    assert "could not be verified" in text(replay)
    # An answer posted by a session that was never given a challenge finds none.
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    unasked = client.post(STEP, {"passkey": answer})
    assert "The passkey request expired." in text(unasked)

    options = options_on(client.get(STEP))
    settings.RELAIS_FAKE_NOW = (clock.now() + timedelta(minutes=6)).isoformat()
    late = client.post(STEP, {"passkey": key.get(options)})
    assert late.status_code == 422
    assert "The passkey request expired. Try again." in text(late)
    assert client.get(reverse("console:queue")).status_code == 302


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_instead_of_an_answer_is_a_clear_error_never_a_500(world: World, required: None, garbage: str) -> None:
    client, _ = sign_in("camille")
    client.get(STEP)
    enrolment = client.post(STEP, {"passkey": garbage})
    assert enrolment.status_code == 422
    assert re.search(
        r"Your browser's answer could not be read\.|This passkey's answer could not be verified\.", text(enrolment)
    )
    enrol_passkey(client, SoftwareAuthenticator())
    settings_page = client.get(reverse("console:passkeys"))
    assert settings_page.status_code == 200
    added = client.post(reverse("console:passkeys"), {"action": "add", "passkey": garbage, "name": "x"})
    assert added.status_code == 422
    assert re.search("could not be read|could not be verified", text(added))
    client.post(reverse("console:logout"))
    client, _ = signed_in_again()
    signing_in = client.post(STEP, {"passkey": garbage})
    assert signing_in.status_code == 422
    refusals = ["could not be read", "could not be verified", "This passkey is not registered for your account."]
    assert any(refusal in text(signing_in) for refusal in refusals)


def test_errors_are_in_french_for_a_french_browser(world: World, required: None) -> None:
    client = Client(headers={"Accept-Language": "fr"})
    client.post(reverse("console:login"), {"username": "camille", "password": PASSWORD})
    page = text(client.get(STEP))
    assert "Créer une clé d'accès" in page
    refused = text(client.post(STEP, {"passkey": "{"}))
    assert "La réponse de votre navigateur n'a pas pu être lue." in refused


def test_a_wrong_origin_a_wrong_site_or_another_accounts_passkey_is_refused(world: World, required: None) -> None:
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    phished = client.post(STEP, {"passkey": key.create(options_on(client.get(STEP)), origin="https://relais.evil")})
    assert phished.status_code == 422
    assert not PasskeyDevice.objects.exists()
    enrol_passkey(client, key)
    client.post(reverse("console:logout"))

    client, options = signed_in_again()
    wrong_origin = client.post(STEP, {"passkey": key.get(options, origin="https://relais.evil")})
    assert "could not be verified" in text(wrong_origin)
    options = options_on(client.get(STEP))
    wrong_site = client.post(STEP, {"passkey": key.get(options, rp_id="evil.example")})
    assert "could not be verified" in text(wrong_site)
    stranger = SoftwareAuthenticator()
    options = options_on(client.get(STEP))
    options["allowCredentials"] = []
    unknown = client.post(STEP, {"passkey": stranger.get(options)})
    assert "This passkey is not registered for your account." in text(unknown)
    assert client.get(reverse("console:queue")).status_code == 302


def test_a_counter_that_goes_backwards_is_refused_as_a_possible_copy(world: World, required: None) -> None:
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    enrol_passkey(client, key)
    client.post(reverse("console:logout"))
    client, options = signed_in_again()
    assert client.post(STEP, {"passkey": key.get(options, count=7)}).status_code == 302
    client.post(reverse("console:logout"))
    client, options = signed_in_again()
    copied = client.post(STEP, {"passkey": key.get(options, count=7)})
    assert copied.status_code == 422
    assert "counter went backwards, which can mean it was copied" in text(copied)
    assert PasskeyDevice.objects.get().sign_count == 7
    # A counter of 0 on both sides (a synced passkey) is not judged.
    PasskeyDevice.objects.update(sign_count=0)
    options = options_on(client.get(STEP))
    assert client.post(STEP, {"passkey": key.get(options, count=0)}).status_code == 302


def test_recovery_codes_still_work_for_a_passkey_only_account(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", text(enrol_passkey(client, SoftwareAuthenticator())))
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    page = text(client.get(STEP))
    assert "Confirm it is you" in page
    assert "One of the recovery codes you kept" in page
    assert client.post(STEP, {"code": codes[0], "next": "/console/"}).status_code == 302
    assert client.get(reverse("console:queue")).status_code == 200


def test_five_failed_passkey_answers_sign_out_and_pause_like_passwords(world: World, required: None) -> None:
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    enrol_passkey(client, key)
    client.post(reverse("console:logout"))
    client, _ = signed_in_again()
    for _ in range(4):
        options = options_on(client.get(STEP))
        assert client.post(STEP, {"passkey": key.get(options, origin="https://relais.evil")}).status_code == 422
    options = options_on(client.get(STEP))
    paused = client.post(STEP, {"passkey": key.get(options, origin="https://relais.evil")})
    assert paused.status_code == 429
    assert "Sign-in paused" in text(paused)
    assert "_auth_user_id" not in client.session
    assert sign_in("camille")[1].status_code == 429


def test_after_a_failed_answer_django_otp_makes_the_next_wait(world: World, required: None, settings: Any) -> None:
    settings.OTP_PASSKEY_THROTTLE_FACTOR = 60
    key = SoftwareAuthenticator()
    client, _ = sign_in("camille")
    enrol_passkey(client, key)
    client.post(reverse("console:logout"))
    client, options = signed_in_again()
    client.post(STEP, {"passkey": key.get(options, origin="https://relais.evil")})
    options = options_on(client.get(STEP))
    right = client.post(STEP, {"passkey": key.get(options)})
    assert right.status_code == 422
    assert "Too many failed attempts in a row" in text(right)
    assert PasskeyDevice.objects.get().throttling_failure_count == 1  # a refused-while-waiting try adds no wait


def test_staff_add_and_remove_passkeys_but_never_the_last_way_in(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    enrol_passkey(client, SoftwareAuthenticator())
    page = client.get(reverse("console:passkeys"))
    assert "Add a passkey" in text(page)
    second = SoftwareAuthenticator()
    added = client.post(
        reverse("console:passkeys"),
        {"action": "add", "name": "Work  laptop", "passkey": second.create(options_on(page))},
    )
    assert (added.status_code, added["Location"]) == (302, reverse("console:passkeys"))
    listing = text(client.get(reverse("console:passkeys")))
    assert "Work laptop" in listing
    assert listing.count('name="action" value="remove"') == 2
    # The same authenticator twice is refused (it is in excludeCredentials, and checked here too).
    twice = client.post(
        reverse("console:passkeys"),
        {"action": "add", "passkey": second.create(options_on(client.get(reverse("console:passkeys"))))},
    )
    assert "This passkey is already registered." in text(twice)

    first, laptop = PasskeyDevice.objects.order_by("pk")
    assert client.post(reverse("console:passkeys"), {"action": "remove", "device": laptop.pk}).status_code == 302
    last = client.post(reverse("console:passkeys"), {"action": "remove", "device": first.pk})
    assert last.status_code == 422
    assert "This passkey is your only way to sign in besides recovery codes" in text(last)
    assert PasskeyDevice.objects.filter(pk=first.pk).exists()
    # Another person's passkey is not found; nonsense is not found either.
    from relais.second_factor.models import PasskeyDevice as Device

    someone = Device.objects.create(user=world.supervisor.user, name="x", credential_id=b"x", public_key=b"y")
    assert client.post(reverse("console:passkeys"), {"action": "remove", "device": someone.pk}).status_code == 404
    assert client.post(reverse("console:passkeys"), {"action": "remove", "device": "1 OR 1"}).status_code == 404


def test_with_an_app_as_well_the_last_passkey_can_go(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    enrol(client)  # the app, first
    page = client.get(reverse("console:passkeys"))
    key = SoftwareAuthenticator()
    client.post(reverse("console:passkeys"), {"action": "add", "passkey": key.create(options_on(page))})
    device = PasskeyDevice.objects.get()
    assert device.name == "Passkey"
    assert client.post(reverse("console:passkeys"), {"action": "remove", "device": device.pk}).status_code == 302
    # Someone with both is offered the passkey and the app's code.
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    assert "Enter your code" in text(client.get(STEP))
    totp = TOTPDevice.objects.get(confirmed=True)
    assert client.post(STEP, {"code": code_now(totp, later=1)}).status_code == 302


def test_the_settings_page_links_to_the_passkeys_and_is_behind_the_second_step(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    assert client.get(reverse("console:passkeys"))["Location"].startswith(STEP)
    enrol_passkey(client, SoftwareAuthenticator())
    assert reverse("console:passkeys") in text(client.get(reverse("console:settings")))


def test_the_moderation_console_enrols_a_passkey_in_its_own_frame(world: World, required: None) -> None:
    from relais.tenants.services import add_moderator

    add_moderator(username="alex", platform=world.platform, password=PASSWORD)
    client = Client(headers={"Accept-Language": "en"})
    client.post(reverse("moderation:login"), {"username": "alex", "password": PASSWORD})
    step = reverse("moderation:second_factor")
    page = client.get(step)
    done = client.post(step, {"passkey": SoftwareAuthenticator().create(options_on(page)), "next": "/moderation/"})
    assert "Your passkey is set up." in text(done)
    assert client.get(reverse("moderation:queue")).status_code == 200
    assert reverse("moderation:settings") in text(client.get(reverse("moderation:passkeys")))


def test_passkeys_belong_to_the_public_host_or_the_configured_one(world: World, required: None, settings: Any) -> None:
    settings.RELAIS_PUBLIC_URL = "https://relais.example.org"
    settings.ALLOWED_HOSTS = ["relais.example.org", "testserver"]
    client, _ = sign_in("camille")
    assert options_on(client.get(STEP))["rp"]["id"] == "relais.example.org"
    key = SoftwareAuthenticator(origin="http://testserver")
    refused = client.post(STEP, {"passkey": key.create(options_on(client.get(STEP)))})
    assert refused.status_code == 422  # made on another origin than RELAIS_PUBLIC_URL's
    ok = client.post(STEP, {"passkey": key.create(options_on(client.get(STEP)), origin="https://relais.example.org")})
    assert ok.status_code == 200
    settings.RELAIS_PASSKEY_RP_ID = "example.org"
    page = client.get(reverse("console:passkeys"))
    assert options_on(page)["rp"]["id"] == "example.org"


def test_the_relying_party_comes_from_the_settings_then_the_public_url_then_the_request() -> None:
    request = "http://localhost:8123"
    assert relying_party(rp_id="", origins=[], public_url="", request_origin=request).id == "localhost"
    assert relying_party(rp_id="", origins=[], public_url="", request_origin=request).origins == (request,)
    public = relying_party(rp_id="", origins=[], public_url="https://relais.example.org/x", request_origin=request)
    assert (public.id, public.origins) == ("relais.example.org", ("https://relais.example.org",))
    chosen = relying_party(
        rp_id="example.org",
        origins=["https://staff.example.org/", "https://relais.example.org"],
        public_url="https://relais.example.org",
        request_origin=request,
    )
    assert (chosen.id, chosen.origins) == ("example.org", ("https://staff.example.org", "https://relais.example.org"))


def test_a_passkey_answer_for_an_account_with_only_the_app_is_refused_in_words(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    enrol(client)
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    client.get(STEP)
    refused = client.post(STEP, {"passkey": SoftwareAuthenticator().get({"rpId": "testserver", "challenge": "AAAA"})})
    assert refused.status_code == 422
    assert "The passkey request expired. Try again." in text(refused)
    assert client.get(reverse("console:queue")).status_code == 302
