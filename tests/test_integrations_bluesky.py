"""Relais as a Bluesky moderation service: `com.atproto.moderation.createReport` over XRPC, authenticated by
the reporter's inter-service JWT, end to end.

The lexicons and DID documents are relais/integrations/bluesky/fixtures, verbatim from bluesky-social/atproto
(see the README there). The reporters' keys (secp256k1 and P-256) are generated here, and the JWTs made and
signed here the way packages/xrpc-server/src/auth.ts `createServiceJwt` makes them, with `cryptography` and
a base58 encoder of this file's own — not with the adapter's code. A threading `http.server` on 127.0.0.1
stands in for the PLC directory, another (as `did:web:localhost%3A<port>`) for a did:web host.
"""

from __future__ import annotations

import base64
import io
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from relais.integrations.bluesky import adapter, resolver
from relais.integrations.models import Connection
from relais.reports.models import Report
from relais.tenants.services import add_platform

FIXTURES = Path(__file__).parent.parent / "relais/integrations/bluesky/fixtures"
T0 = datetime.fromisoformat("2026-11-25T22:59:00+01:00")
SERVICE = "did:web:relais.example"
LXM = "com.atproto.moderation.createReport"
REPORTER = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
ORDERS = {"secp256k1": ec.SECP256K1(), "P-256": ec.SECP256R1()}
N = {
    "secp256k1": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
    "P-256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
}
PREFIX = {"secp256k1": b"\xe7\x01", "P-256": b"\x80\x24"}
ALG = {"secp256k1": "ES256K", "P-256": "ES256"}


def b58(data: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        out = alphabet[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Reporter:
    did: str
    curve: str
    key: ec.EllipticCurvePrivateKey = field(init=False)

    def __post_init__(self) -> None:
        self.key = ec.generate_private_key(ORDERS[self.curve])

    def multikey(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return "z" + b58(PREFIX[self.curve] + point)

    def document(self) -> dict[str, Any]:
        """Shaped as the PLC directory's documents are (fixtures/did_document_multikey.json)."""
        doc: dict[str, Any] = json.loads((FIXTURES / "did_document_multikey.json").read_text())
        doc["id"] = self.did
        doc["verificationMethod"] = [
            {
                "id": f"{self.did}#atproto",
                "type": "Multikey",
                "controller": self.did,
                "publicKeyMultibase": self.multikey(),
            }
        ]
        return doc

    def jwt(
        self, *, high_s: bool = False, der: bool = False, header: dict[str, Any] | None = None, **claims: Any
    ) -> str:
        now = int(datetime.now(tz=UTC).timestamp())
        payload = {
            "iat": now,
            "iss": self.did,
            "aud": SERVICE,
            "exp": now + 60,
            "lxm": LXM,
            "jti": secrets.token_hex(16),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        head = {"typ": "JWT", "alg": ALG[self.curve], **(header or {})}
        signed = f"{b64url(json.dumps(head).encode())}.{b64url(json.dumps(payload).encode())}"
        r, s = decode_dss_signature(self.key.sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
        n = N[self.curve]
        s = min(s, n - s)  # atproto signs low-S
        if high_s:
            s = n - s
        sig = encode_dss_signature(r, s) if der else r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{signed}.{b64url(sig)}"


@dataclass
class Host:
    """GET /<did> (a PLC directory) or GET /.well-known/did.json (a did:web host), from `documents`."""

    url: str = ""
    port: int = 0
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


def _serve() -> Iterator[Host]:
    state = Host()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            found = state.documents.get(self.path)
            body = json.dumps(found if found is not None else {"message": "DID not registered"}).encode()
            self.send_response(200 if found is not None else 404)
            self.send_header("Content-Type", "application/did+ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    state.url = f"http://127.0.0.1:{state.port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def plc() -> Iterator[Host]:
    yield from _serve()


@pytest.fixture
def web() -> Iterator[Host]:
    yield from _serve()


def connect(*args: str, slug: str = "agora") -> list[str]:
    out = io.StringIO()
    call_command("bluesky", "connect", slug, *args, stdout=out)
    return out.getvalue().splitlines()


@dataclass
class World:
    plc: Host
    alice: Reporter
    client: Client


@pytest.fixture
def world(settings: Any, db: None, plc: Host) -> Iterator[World]:
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    resolver.forget_documents()
    add_platform(name="Agora", slug="agora")
    connect("--service-did", SERVICE, "--country", "FR", "--timezone", "Europe/Paris", "--plc-url", plc.url)
    alice = Reporter(REPORTER, "secp256k1")
    plc.documents[f"/{alice.did}"] = alice.document()
    with time_machine.travel(T0, tick=False):
        yield World(plc, alice, Client())
    resolver.forget_documents()


def report_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reasonType": "tools.ozone.report.defs#reasonHarassmentDoxxing",
        "reason": "He posted my home address and says he'll come by.",
        "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": "did:plc:z72i7hdynmk6r22z27h6tvur"},
    }
    body.update(changes)
    return body


def post(client: Client, body: Any, token: str | None, language: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if language:
        headers["Accept-Language"] = language
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"/xrpc/{LXM}", raw, content_type="application/json", headers=headers)


# --- the lexicon and the keys, pure ---


def test_every_token_the_table_maps_is_one_the_lexicon_knows() -> None:
    known = json.loads((FIXTURES / "moderation_defs.json").read_text())["defs"]["reasonType"]["knownValues"]
    assert set(adapter.REASONS) <= set(known)
    assert "tools.ozone.report.defs#reasonHarassmentDoxxing" in known  # the snapshot has the granular tokens


@pytest.mark.parametrize(
    ("reason_type", "category"),
    [
        ("com.atproto.moderation.defs#reasonRude", "harassment"),
        ("com.atproto.moderation.defs#reasonSpam", "other"),
        ("com.atproto.moderation.defs#reasonSexual", "other"),
        ("tools.ozone.report.defs#reasonViolenceThreats", "threat"),
        ("tools.ozone.report.defs#reasonSexualNCII", "non_consensual_intimate_imagery"),
        ("tools.ozone.report.defs#reasonHarassmentHateSpeech", "hate"),
        ("tools.ozone.report.defs#reasonHarassmentDoxxing", "doxxing"),
        ("tools.ozone.report.defs#reasonMisleadingImpersonation", "impersonation"),
        ("tools.ozone.report.defs#reasonSelfHarmED", "self_harm"),
        ("tools.ozone.report.defs#reasonChildSafetyGroom", "grooming"),
        ("tools.ozone.report.defs#reasonChildSafetyCSAM", "child_sexual_abuse_material"),
        ("tools.ozone.report.defs#reasonSomethingAddedNextYear", "other"),
    ],
)
def test_reason_types_classic_and_granular_map_to_categories(reason_type: str, category: str) -> None:
    assert adapter.category_of(reason_type, {"categories": {}}) == category


def test_the_connection_map_overrides_a_token() -> None:
    token = "tools.ozone.report.defs#reasonChildSafetyGroom"
    assert adapter.category_of(token, {"categories": {token: "sextortion"}}) == "sextortion"


def test_atprotos_own_did_documents_new_and_legacy_give_the_same_secp256k1_key() -> None:
    did = "did:plc:yk4dd2qkboz2yv6tpubpc6co"
    new = adapter.atproto_key(json.loads((FIXTURES / "did_document_multikey.json").read_text()), did)
    old = adapter.atproto_key(json.loads((FIXTURES / "did_document_legacy.json").read_text()), did)
    assert new.alg == old.alg == "ES256K"
    assert new.public_key.public_numbers() == old.public_key.public_numbers()
    with pytest.raises(adapter.AuthRefused):  # a document is only its own DID's
        adapter.atproto_key(json.loads((FIXTURES / "did_document_multikey.json").read_text()), REPORTER)


def _unsigned(header: Any, payload: Any) -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}.{b64url(bytes(64))}"


@pytest.mark.parametrize(
    ("jwt", "error"),
    [
        (_unsigned({"alg": "ES256K", "typ": ["JWT"]}, {}), "BadJwt"),
        (_unsigned({"typ": "JWT"}, {}), "BadJwt"),
        (_unsigned({"alg": "ES256K"}, [1]), "BadJwt"),
        (_unsigned({"alg": "ES256K"}, {"iss": REPORTER, "aud": SERVICE, "exp": float("inf"), "lxm": LXM}), "BadJwt"),
        (_unsigned({"alg": "ES256K"}, {"iss": REPORTER, "aud": SERVICE, "exp": True, "lxm": LXM}), "BadJwt"),
        (_unsigned({"alg": "ES256K"}, {"iss": REPORTER, "aud": SERVICE, "exp": "soon", "lxm": LXM}), "BadJwt"),
        ("é.é.é", "BadJwt"),
        ("a.b.c.d", "BadJwt"),
    ],
)
def test_a_token_that_is_not_one_is_refused_by_name_never_a_crash(jwt: str, error: str) -> None:
    with pytest.raises(adapter.AuthRefused) as refused:
        adapter.read_token(jwt, now=T0)
    assert refused.value.error == error


# --- connecting ---


@pytest.mark.django_db
def test_connect_prints_the_service_endpoint_and_what_to_publish(settings: Any) -> None:
    settings.RELAIS_PUBLIC_URL = "https://relais.example"
    add_platform(name="Agora", slug="agora")
    lines = connect("--service-did", SERVICE, "--country", "FR", "--timezone", "Europe/Paris")
    assert lines[:3] == [
        f"service_did: {SERVICE}",
        "service_endpoint: https://relais.example",
        f"xrpc_url: https://relais.example/xrpc/{LXM}",
    ]
    assert json.loads(lines[3].removeprefix("did_document_service: ")) == {
        "id": "#atproto_labeler",
        "type": "AtprotoLabeler",
        "serviceEndpoint": "https://relais.example",
    }
    connection = Connection.objects.get()
    assert (connection.kind, connection.service_did, connection.plc_url) == (
        "bluesky",
        SERVICE,
        "https://plc.directory",
    )
    assert connection.platform.reporter_country == "FR"
    connect("--service-did", SERVICE, "--plc-url", "http://127.0.0.1:2582")  # again: updated, not doubled
    assert Connection.objects.get().plc_url == "http://127.0.0.1:2582"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--service-did", "https://relais.example"], "--service-did"),
        (["--service-did", "did:web:relais.example/path"], "--service-did"),
        (["--service-did", SERVICE, "--plc-url", "ftp://plc.example"], "--plc-url"),
        (["--service-did", SERVICE, "--plc-url", "https://plc.example/dir"], "--plc-url"),
        (["--service-did", SERVICE, "--country", "XX"], "--country"),
    ],
)
def test_connect_refuses_a_bad_option_by_name(args: list[str], named: str) -> None:
    add_platform(name="Agora", slug="agora")
    with pytest.raises(CommandError, match=named):
        connect(*args)
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_a_service_did_belongs_to_one_platform() -> None:
    add_platform(name="Agora", slug="agora")
    add_platform(name="Other", slug="other")
    connect("--service-did", SERVICE)
    with pytest.raises(CommandError, match="another platform"):
        connect("--service-did", SERVICE, slug="other")


# --- reports ---

OUTPUT_KEYS = {"id", "reasonType", "subject", "reportedBy", "createdAt"}


def test_a_secp256k1_did_plc_reporters_report_is_stored_and_answered_as_the_lexicon_says(world: World) -> None:
    answer = post(world.client, report_body(), world.alice.jwt(), language="fr-FR,fr;q=0.9")
    assert answer.status_code == 200, answer.content
    out = answer.json()
    required = json.loads((FIXTURES / "createReport.json").read_text())["defs"]["main"]["output"]["schema"]["required"]
    assert set(required) == OUTPUT_KEYS <= set(out)
    assert isinstance(out["id"], int)
    assert out["reasonType"] == "tools.ozone.report.defs#reasonHarassmentDoxxing"
    assert out["reason"] == "He posted my home address and says he'll come by."
    assert out["subject"] == report_body()["subject"]
    assert out["reportedBy"] == REPORTER
    assert out["createdAt"] == "2026-11-25T21:59:00.000Z"
    report = Report.objects.get()
    assert report.category == "doxxing"
    assert report.reporter_pseudonym == f"bluesky:{REPORTER}"
    assert report.reporter_language == "fr-FR"
    assert report.description == "He posted my home address and says he'll come by."
    [item] = report.content.all()
    assert (item.kind, item.content_id) == ("profile", "did:plc:z72i7hdynmk6r22z27h6tvur")
    assert item.url == "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur"
    assert world.plc.requests == [f"/{REPORTER}"]


def test_a_p256_did_web_reporters_report_of_a_post(world: World, web: Host) -> None:
    bob = Reporter(f"did:web:localhost%3A{web.port}", "P-256")
    web.documents["/.well-known/did.json"] = bob.document()
    uri = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l"
    subject = {"$type": "com.atproto.repo.strongRef", "uri": uri, "cid": "bafyreiabcdefghijklmnopqrstuvwxyz234567"}
    body = report_body(reasonType="tools.ozone.report.defs#reasonViolenceThreats", subject=subject)
    answer = post(world.client, body, bob.jwt())
    assert answer.status_code == 200, answer.content
    assert answer.json()["subject"] == subject
    assert answer.json()["reportedBy"] == bob.did
    report = Report.objects.get()
    assert report.category == "threat"
    [item] = report.content.all()
    assert (item.kind, item.content_id) == ("post", uri)
    assert item.url == "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l"
    assert web.requests == ["/.well-known/did.json"]


def test_a_replayed_token_and_a_retried_report_make_no_second_report(world: World) -> None:
    token = world.alice.jwt()
    first = post(world.client, report_body(), token)
    replay = post(world.client, report_body(), token)
    retry = post(world.client, report_body(), world.alice.jwt())  # the PDS retrying with a new token
    assert first.status_code == replay.status_code == retry.status_code == 200
    assert first.json() == replay.json() == retry.json()
    assert Report.objects.count() == 1
    assert world.plc.requests == [f"/{REPORTER}"]  # the document remembered
    other = post(world.client, report_body(reason="And now he's posting my photos."), token)
    assert other.status_code == 200
    assert other.json()["id"] != first.json()["id"]
    assert Report.objects.count() == 2


def test_unknown_fields_are_ignored(world: World) -> None:
    body = report_body(modTool={"name": "bsky-app/android", "meta": {"x": 1}}, somethingNew=[1, 2])
    body["subject"]["future"] = True
    token = world.alice.jwt(nonce="abc", scope="whatever", header={"kid": "atproto"})
    answer = post(world.client, body, token)
    assert answer.status_code == 200, answer.content
    assert answer.json()["subject"] == report_body()["subject"]


def test_a_high_s_signature_is_accepted_as_atprotos_verifyjwt_accepts_it(world: World) -> None:
    assert post(world.client, report_body(), world.alice.jwt(high_s=True)).status_code == 200


def test_a_rotated_key_is_fetched_again(world: World) -> None:
    assert post(world.client, report_body(), world.alice.jwt()).status_code == 200
    world.alice.key = ec.generate_private_key(ec.SECP256K1())
    world.plc.documents[f"/{REPORTER}"] = world.alice.document()
    answer = post(world.client, report_body(reason="again"), world.alice.jwt())
    assert answer.status_code == 200, answer.content
    assert world.plc.requests == [f"/{REPORTER}"] * 2


def _bad_tokens(world: World, web: Host) -> dict[str, tuple[str | None, str]]:
    alice = world.alice
    mallory = Reporter(REPORTER, "secp256k1")  # claims to be alice, signs with another key
    signed = alice.jwt()
    head, payload, sig = signed.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["exp"] += 3600  # a longer life than the reporter signed
    tampered = f"{head}.{b64url(json.dumps(forged).encode())}.{sig}"
    p256_as_k = Reporter(REPORTER, "P-256")
    world.plc.documents["/did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"] = {"id": "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"}
    return {
        "missing": (None, "AuthenticationRequired"),
        "not a jwt": ("abc.def", "BadJwt"),
        "another audience": (alice.jwt(aud="did:web:other.example"), "BadJwtAudience"),
        "another method": (alice.jwt(lxm="app.bsky.feed.getFeed"), "BadJwtLexiconMethod"),
        "no method": (alice.jwt(lxm=None), "BadJwtLexiconMethod"),
        "expired": (alice.jwt(exp=int(T0.timestamp()) - 1), "JwtExpired"),
        "issued later": (alice.jwt(iat=int(T0.timestamp()) + 600), "BadJwt"),
        "an access token": (alice.jwt(header={"typ": "at+jwt"}), "BadJwtType"),
        "another key": (mallory.jwt(), "BadJwtSignature"),
        "tampered": (tampered, "BadJwtSignature"),
        "alg of another curve": (p256_as_k.jwt(header={"alg": "ES256K"}), "BadJwtSignature"),
        "DER signature": (alice.jwt(der=True), "BadJwtSignature"),
        "iss not a did": (alice.jwt(iss="alice.bsky.social"), "BadJwtIss"),
        "unknown did": (Reporter("did:plc:cccccccccccccccccccccccc", "secp256k1").jwt(), "BadJwtIss"),
        "document without key": (Reporter("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb", "secp256k1").jwt(), "BadJwtIss"),
        "did:web with a path": (alice.jwt(iss="did:web:localhost:users:alice"), "BadJwtIss"),
    }


BAD = [
    "missing",
    "not a jwt",
    "another audience",
    "another method",
    "no method",
    "expired",
    "issued later",
    "an access token",
    "another key",
    "tampered",
    "alg of another curve",
    "DER signature",
    "iss not a did",
    "unknown did",
    "document without key",
    "did:web with a path",
]


@pytest.mark.parametrize("case", BAD)
def test_a_bad_or_missing_jwt_is_a_401_and_nothing_is_stored(world: World, web: Host, case: str) -> None:
    token, error = _bad_tokens(world, web)[case]
    answer = post(world.client, report_body(), token)
    assert answer.status_code == 401, answer.content
    assert answer.json()["error"] == error
    assert answer.json()["message"]
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "JSON"),
        ([1, 2], "body"),
        (report_body(reasonType=None), "reasonType"),
        (report_body(reason="x" * 20001), "reason"),
        (report_body(subject={"did": "did:plc:z72i7hdynmk6r22z27h6tvur"}), "subject.$type"),
        (report_body(subject={"$type": "chat.bsky.convo.defs#messageRef", "messageId": "1"}), "subject.$type"),
        (report_body(subject={"$type": "com.atproto.admin.defs#repoRef", "did": "alice"}), "subject.did"),
        (
            report_body(subject={"$type": "com.atproto.repo.strongRef", "uri": "at://did:plc:x/app.bsky.feed.post/1"}),
            "subject.cid",
        ),
        (
            report_body(
                subject={"$type": "com.atproto.repo.strongRef", "uri": "https://bsky.app", "cid": "bafyreiabc"}
            ),
            "subject.uri",
        ),
    ],
)
def test_input_the_lexicon_refuses_is_a_400_naming_the_field(world: World, body: Any, named: str) -> None:
    if isinstance(body, dict) and body.get("reasonType") is None:
        body.pop("reasonType")
    answer = post(world.client, body, world.alice.jwt())
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"] == "InvalidRequest"
    assert named in answer.json()["message"]
    assert not Report.objects.exists()


def test_a_get_is_refused(world: World) -> None:
    answer = world.client.get(f"/xrpc/{LXM}", HTTP_AUTHORIZATION=f"Bearer {world.alice.jwt()}")
    assert answer.status_code == 405
    assert not Report.objects.exists()


def test_the_document_is_remembered_a_while_then_fetched_again(world: World, settings: Any) -> None:
    assert post(world.client, report_body(), world.alice.jwt()).status_code == 200
    assert post(world.client, report_body(reason="2"), world.alice.jwt()).status_code == 200
    assert world.plc.requests == [f"/{REPORTER}"]
    settings.RELAIS_BLUESKY_DID_CACHE_SECONDS = 0
    resolver.forget_documents()
    assert post(world.client, report_body(reason="3"), world.alice.jwt()).status_code == 200
    assert world.plc.requests == [f"/{REPORTER}"] * 2


def test_in_production_a_loopback_plc_directory_is_refused(world: World, settings: Any) -> None:
    settings.PRODUCTION = True
    answer = post(world.client, report_body(), world.alice.jwt())
    assert answer.status_code == 401
    assert answer.json()["error"] == "BadJwtIss"
    assert world.plc.requests == []
    assert not Report.objects.exists()
    assert "cannot be fetched" in Connection.objects.get().last_refusal


def test_the_admin_shows_the_service_did_and_its_map_changes_the_category(world: World, admin_client: Client) -> None:
    connection = Connection.objects.get()
    page = f"/admin/integrations/connection/{connection.pk}/change/"
    shown = admin_client.get(page).content.decode()
    assert SERVICE in shown
    assert world.plc.url in shown
    token = "tools.ozone.report.defs#reasonChildSafetyGroom"
    form = {"category_map": json.dumps({"categories": {token: "sextortion"}}), "language_fallback": "fr"}
    assert admin_client.post(page, form).status_code == 302
    answer = post(world.client, report_body(reasonType=token), world.alice.jwt())
    assert answer.status_code == 200
    assert Report.objects.get().category == "sextortion"


def test_without_a_reporters_country_nothing_is_stored_and_the_admin_is_told_what_to_run(
    world: World, settings: Any
) -> None:
    from relais.tenants.models import Platform

    Platform.objects.filter(slug="agora").update(reporter_country="")
    answer = post(world.client, report_body(), world.alice.jwt())
    assert answer.status_code == 503
    assert answer.json()["error"] == "NotConfigured"
    assert "agora" not in answer.content.decode()
    assert not Report.objects.exists()
    assert "relais platform set agora --reporter-country" in Connection.objects.get().last_refusal
