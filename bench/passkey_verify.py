"""What checking a passkey costs the server: py_webauthn's verification of one registration and one sign-in
answer (ES256, P-256), in-process, no database, no HTTP.

    PYTHONPATH=. .venv/bin/python bench/passkey_verify.py [--rounds 300]

The answers come from the tests' software authenticator (tests/software_authenticator.py), each signed over a
fresh challenge, so every round parses JSON and CBOR, hashes, and checks one ECDSA signature.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)

from tests.software_authenticator import SoftwareAuthenticator

RP_ID = "relais.example.org"
ORIGIN = "https://relais.example.org"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds
    key = SoftwareAuthenticator(origin=ORIGIN)
    registering: list[float] = []
    signing_in: list[float] = []
    public_key = b""
    for _ in range(rounds):
        options = generate_registration_options(rp_id=RP_ID, rp_name="Relais", user_name="camille")
        answer = key.create(json.loads(options_to_json(options)))
        start = time.perf_counter()
        verified = verify_registration_response(
            credential=answer, expected_challenge=options.challenge, expected_rp_id=RP_ID, expected_origin=ORIGIN
        )
        registering.append(time.perf_counter() - start)
        public_key = verified.credential_public_key
    for _ in range(rounds):
        challenge = os.urandom(64)
        request = generate_authentication_options(rp_id=RP_ID, challenge=challenge)
        answer = key.get(json.loads(options_to_json(request)))
        start = time.perf_counter()
        verify_authentication_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            credential_public_key=public_key,
            credential_current_sign_count=0,
        )
        signing_in.append(time.perf_counter() - start)
    for name, samples in (("registration", registering), ("sign-in", signing_in)):
        ordered = sorted(samples)
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        print(f"{name:13} median {statistics.median(samples) * 1e3:.3f} ms  p95 {p95 * 1e3:.3f} ms  ({rounds} rounds)")


if __name__ == "__main__":
    main()
