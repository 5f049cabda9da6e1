"""Standard Webhooks signing, table-tested without a database, against the spec libraries' own vector."""

from __future__ import annotations

import base64

import pytest

from relais.webhooks import signing

# The vector from the Standard Webhooks reference libraries' tests (sign_function).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

OTHER_SECRET = signing.new_secret(bytes(range(32)))


def spec_headers(**changes: str) -> dict[str, str]:
    headers = {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP), "webhook-signature": SPEC_SIGNATURE}
    headers.update(changes)
    return headers


def test_sign_matches_the_spec_vector() -> None:
    assert signing.sign(secret=SPEC_SECRET, msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY) == SPEC_SIGNATURE


def test_a_new_secret_is_whsec_and_base64_of_32_random_bytes() -> None:
    one, two = signing.new_secret(), signing.new_secret()
    assert one != two
    assert one.startswith("whsec_")
    assert len(base64.b64decode(one.removeprefix("whsec_"), validate=True)) == 32
    with pytest.raises(ValueError, match="24"):
        signing.new_secret(b"short")


def test_during_a_rotation_every_secret_signs_newest_first() -> None:
    header = signing.signature_header(
        secrets=[OTHER_SECRET, SPEC_SECRET], msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY
    )
    new, old = header.split(" ")
    assert old == SPEC_SIGNATURE
    assert new == signing.sign(secret=OTHER_SECRET, msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY)


VALID = [
    ("the spec's own request", [SPEC_SECRET], spec_headers(), SPEC_BODY),
    ("header names in any case", [SPEC_SECRET], {k.title(): v for k, v in spec_headers().items()}, SPEC_BODY),
    ("the receiver holds the new and the old secret", [OTHER_SECRET, SPEC_SECRET], spec_headers(), SPEC_BODY),
    (
        "one of several signatures matches, unknown schemes skipped",
        [SPEC_SECRET],
        spec_headers(**{"webhook-signature": f"v1a,AAAA v1,{'A' * 44} {SPEC_SIGNATURE} v2,xyz"}),
        SPEC_BODY,
    ),
]


@pytest.mark.parametrize(("case", "secrets", "headers", "body"), VALID, ids=[v[0] for v in VALID])
def test_verify_accepts(case: str, secrets: list[str], headers: dict[str, str], body: bytes) -> None:
    signing.verify(secrets=secrets, headers=headers, body=body, now=SPEC_TIMESTAMP + 10)


INVALID = [
    ("another body", [SPEC_SECRET], spec_headers(), b'{"test": 2432232315}', SPEC_TIMESTAMP),
    ("another secret", [OTHER_SECRET], spec_headers(), SPEC_BODY, SPEC_TIMESTAMP),
    ("another id", [SPEC_SECRET], spec_headers(**{"webhook-id": "msg_other"}), SPEC_BODY, SPEC_TIMESTAMP),
    ("too old", [SPEC_SECRET], spec_headers(), SPEC_BODY, SPEC_TIMESTAMP + 301),
    ("too new", [SPEC_SECRET], spec_headers(), SPEC_BODY, SPEC_TIMESTAMP - 301),
    ("timestamp not a number", [SPEC_SECRET], spec_headers(**{"webhook-timestamp": "soon"}), SPEC_BODY, 0),
    ("no signature", [SPEC_SECRET], spec_headers(**{"webhook-signature": ""}), SPEC_BODY, SPEC_TIMESTAMP),
    ("no id", [SPEC_SECRET], spec_headers(**{"webhook-id": ""}), SPEC_BODY, SPEC_TIMESTAMP),
    (
        "an unversioned signature",
        [SPEC_SECRET],
        spec_headers(**{"webhook-signature": SPEC_SIGNATURE.removeprefix("v1,")}),
        SPEC_BODY,
        SPEC_TIMESTAMP,
    ),
    ("a secret without its prefix", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], spec_headers(), SPEC_BODY, SPEC_TIMESTAMP),
]


@pytest.mark.parametrize(("case", "secrets", "headers", "body", "now"), INVALID, ids=[v[0] for v in INVALID])
def test_verify_refuses(case: str, secrets: list[str], headers: dict[str, str], body: bytes, now: int) -> None:
    with pytest.raises(signing.VerificationError):
        signing.verify(secrets=secrets, headers=headers, body=body, now=now)


@pytest.mark.parametrize("msg_id", ["", "msg.1", "msg 1"])
def test_ids_that_could_shift_the_signed_content_are_refused(msg_id: str) -> None:
    with pytest.raises(ValueError, match="message id"):
        signing.sign(secret=SPEC_SECRET, msg_id=msg_id, timestamp=1, body=b"{}")


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_" + base64.b64encode(b"x" * 23).decode(), "sk_abc"])
def test_malformed_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        signing.secret_key(secret)
