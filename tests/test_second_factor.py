"""The second factor over HTTP (ADR 0031): enrolment, codes, recovery codes, lockouts, and the setting off."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.test_console import PASSWORD, World, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings: Any) -> None:
    settings.RELAIS_REQUIRE_SECOND_FACTOR = True
    # No doubling wait between a wrong code and the right one: these tests type both at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def sign_in(username: str, *, address: str = "127.0.0.1", password: str = PASSWORD) -> tuple[Client, Any]:
    client = Client(headers={"Accept-Language": "en"}, REMOTE_ADDR=address)
    response = client.post(reverse("console:login"), {"username": username, "password": password})
    return client, response


def code_now(device: TOTPDevice, *, later: int = 0) -> str:
    """What the person's app shows: the TOTP of the device's key, `later` steps from now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - later * device.step, digits=device.digits):06d}"


def enrol(client: Client) -> list[str]:
    page = client.get(reverse("console:second_factor"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("console:second_factor"), {"code": code_now(device), "next": "/console/"})
    assert done.status_code == 200
    body = done.content.decode()
    assert "Your recovery codes" in body
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", body)


def test_signed_in_without_a_second_factor_the_console_sends_to_enrolment(world: World, required: None) -> None:
    client, response = sign_in("camille")
    assert response.status_code == 302
    queue = client.get(reverse("console:queue"))
    assert queue.status_code == 302
    assert queue["Location"] == f"{reverse('console:second_factor')}?next=/console/"
    page = client.get(queue["Location"]).content.decode()
    assert "Set up your authenticator app" in page
    assert "<svg" in page  # the QR code, inline: no script, no data: URI
    device = TOTPDevice.objects.get(user=world.counsellor.user, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    from base64 import b32decode

    assert b32decode(secret.group(1).replace(" ", "")) == device.bin_key
    # Every page of the console, a case's too, waits for the second step; so does the admin.
    assert client.get(reverse("console:settings"))["Location"].startswith(reverse("console:second_factor"))
    assert client.get("/admin/")["Location"].startswith(reverse("console:second_factor"))


def test_enrolment_with_one_right_code_opens_the_console_and_shows_ten_recovery_codes(
    world: World, required: None
) -> None:
    client, _ = sign_in("camille")
    codes = enrol(client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert client.get(reverse("console:queue")).status_code == 200
    # The next sign-in asks for a code, no longer for enrolment.
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    page = client.get(reverse("console:second_factor")).content.decode()
    assert "Enter your code" in page
    assert "<svg" not in page  # the key is never shown again


def test_a_wrong_code_is_refused_with_a_clear_error(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    enrol(client)
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    wrong = client.post(reverse("console:second_factor"), {"code": "000000"})
    assert wrong.status_code == 422
    assert "This code is not right." in wrong.content.decode()
    assert client.get(reverse("console:queue")).status_code == 302
    empty = client.post(reverse("console:second_factor"), {"code": ""})
    assert empty.status_code == 422
    assert "This field is required." in empty.content.decode()
    device = TOTPDevice.objects.get(user=world.counsellor.user)
    right = client.post(reverse("console:second_factor"), {"code": code_now(device, later=1), "next": "/console/"})
    assert (right.status_code, right["Location"]) == (302, "/console/")
    assert client.get(reverse("console:queue")).status_code == 200


def test_a_wrong_enrolment_code_is_refused(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    client.get(reverse("console:second_factor"))
    wrong = client.post(reverse("console:second_factor"), {"code": "12345x"})
    assert wrong.status_code == 422
    assert "This code is not right." in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_recovery_code_works_once(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    codes = enrol(client)
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    used = client.post(reverse("console:second_factor"), {"code": codes[0].upper()})
    assert used.status_code == 302
    assert client.get(reverse("console:queue")).status_code == 200
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    again = client.post(reverse("console:second_factor"), {"code": codes[0]})
    assert again.status_code == 422
    assert client.post(reverse("console:second_factor"), {"code": codes[1]}).status_code == 302


def test_five_wrong_codes_sign_out_and_pause_like_passwords(world: World, required: None) -> None:
    client, _ = sign_in("camille")
    enrol(client)
    client.post(reverse("console:logout"))
    client, _ = sign_in("camille")
    for _ in range(4):
        assert client.post(reverse("console:second_factor"), {"code": "000000"}).status_code == 422
    paused = client.post(reverse("console:second_factor"), {"code": "000000"})
    assert paused.status_code == 429
    assert "Sign-in paused" in paused.content.decode()
    assert "_auth_user_id" not in client.session
    assert sign_in("camille")[1].status_code == 429


def test_the_moderation_console_has_its_own_second_step(world: World, required: None) -> None:
    from relais.tenants.services import add_moderator

    add_moderator(username="alex", platform=world.platform, password=PASSWORD)
    client = Client(headers={"Accept-Language": "fr"})
    client.post(reverse("moderation:login"), {"username": "alex", "password": PASSWORD})
    queue = client.get(reverse("moderation:queue"))
    assert queue["Location"].startswith(reverse("moderation:second_factor"))
    page = client.get(queue["Location"]).content.decode()
    assert "Configurez votre application" in page
    assert reverse("moderation:logout") in page  # in the moderation console's frame


def test_wrong_passwords_for_one_account_from_two_addresses_pause_it(world: World) -> None:
    for attempt in range(5):
        _, response = sign_in("camille", address=f"192.0.2.{attempt % 2 + 1}", password="wrong")
    assert response.status_code == 429
    assert sign_in("camille", address="198.51.100.7")[1].status_code == 429
    # A colleague elsewhere is not paused.
    assert sign_in("sami", address="198.51.100.7")[1].status_code == 302


def test_wrong_passwords_from_one_address_across_accounts_pause_that_address(world: World) -> None:
    for attempt in range(5):
        _, response = sign_in(["camille", "sami", "lou"][attempt % 3], address="203.0.113.9", password="wrong")
    assert response.status_code == 429
    assert sign_in("sami", address="203.0.113.9")[1].status_code == 429
    # From their own address, the counsellors still sign in: the pause is on the address, not on them.
    assert sign_in("sami", address="198.51.100.7")[1].status_code == 302


def test_with_the_setting_off_there_is_no_second_step(world: World, settings: Any) -> None:
    settings.RELAIS_REQUIRE_SECOND_FACTOR = False
    client, _ = sign_in("camille")
    assert client.get(reverse("console:queue")).status_code == 200
    assert not TOTPDevice.objects.exists()


def test_the_step_asks_for_a_password_sign_in_first(world: World, required: None) -> None:
    response = Client().get(reverse("console:second_factor"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))
