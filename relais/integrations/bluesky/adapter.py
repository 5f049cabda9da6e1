"""Bluesky (AT Protocol) reports sent to Relais as a moderation service, read as Relais reports. Pure.

A Bluesky user's report goes to the moderation services they subscribe to: their PDS proxies
`com.atproto.moderation.createReport` (lexicons/com/atproto/moderation/createReport.json in
bluesky-social/atproto) to the service's `#atproto_labeler` endpoint with an inter-service JWT, signed with
the reporter's atproto key. This module checks that JWT as `verifyJwt` does (packages/xrpc-server/src/auth.ts):
the claims, then the signature with the `#atproto` key of the issuer's DID document (fetched elsewhere:
resolver.py). It then reads the lexicon's input, forward-compatibly (fields it does not name are ignored),
and builds the lexicon's output. ADR 0033.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from relais.integrations.categories import FALLBACK, RELAIS_CATEGORIES

LXM = "com.atproto.moderation.createReport"
IAT_SKEW_SECONDS = 60
"""An `iat` further in the future than this is refused: the issuer's clock is off, or the token was made
to be used later. (`verifyJwt` does not look at `iat`; `exp` alone bounds a token.)"""
MAX_REASON = 20000
MAX_DESCRIPTION = 5000

ES256K, ES256 = "ES256K", "ES256"
_MULTICODEC = {b"\xe7\x01": (ES256K, ec.SECP256K1()), b"\x80\x24": (ES256, ec.SECP256R1())}
"""packages/crypto/src/const.ts: the varint multicodec prefixes of secp256k1-pub and p256-pub."""
_LEGACY_TYPES = {
    "EcdsaSecp256k1VerificationKey2019": (ES256K, ec.SECP256K1()),
    "EcdsaSecp256r1VerificationKey2019": (ES256, ec.SECP256R1()),
}
_REFUSED_TYP = frozenset({"at+jwt", "refresh+jwt", "dpop+jwt"})
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]{1,2000}$")
_PLC = re.compile(r"^did:plc:[a-z2-7]{24}$")
_WEB = re.compile(r"^did:web:[a-zA-Z0-9.-]+(%3A[0-9]{1,5})?$")
_AT_URI = re.compile(r"^at://(did:[a-z]+:[a-zA-Z0-9._:%-]+)/([a-zA-Z0-9.-]{1,317})/([a-zA-Z0-9._~:-]{1,512})$")
_CID = re.compile(r"^[a-zA-Z0-9+=]{8,256}$")

REPO_REF = "com.atproto.admin.defs#repoRef"
STRONG_REF = "com.atproto.repo.strongRef"

CLASSIC = "com.atproto.moderation.defs#"
GRANULAR = "tools.ozone.report.defs#"
REASONS: dict[str, str] = {
    # The classic tokens: defs.json says which granular token each one now means.
    f"{CLASSIC}reasonRude": "harassment",  # "Prefer … #reasonHarassmentOther"
    f"{GRANULAR}reasonViolenceThreats": "threat",
    f"{GRANULAR}reasonSexualNCII": "non_consensual_intimate_imagery",
    f"{GRANULAR}reasonSexualDeepfake": "non_consensual_intimate_imagery",
    f"{GRANULAR}reasonChildSafetyHarassment": "harassment",
    f"{GRANULAR}reasonChildSafetyGroom": "grooming",
    f"{GRANULAR}reasonChildSafetyCSAM": "child_sexual_abuse_material",
    f"{GRANULAR}reasonHarassmentTroll": "harassment",
    f"{GRANULAR}reasonHarassmentTargeted": "harassment",
    f"{GRANULAR}reasonHarassmentHateSpeech": "hate",
    f"{GRANULAR}reasonHarassmentDoxxing": "doxxing",
    f"{GRANULAR}reasonHarassmentOther": "harassment",
    f"{GRANULAR}reasonMisleadingImpersonation": "impersonation",
    f"{GRANULAR}reasonSelfHarmContent": "self_harm",
    f"{GRANULAR}reasonSelfHarmED": "self_harm",
    f"{GRANULAR}reasonSelfHarmOther": "self_harm",
}
"""reasonType → Relais category, where the token names a harm a helpline takes. Every other token (spam,
violations of rules, misleading content, sexual content unlabelled, and tokens added after this table) is
`other`. Child safety's CSAM and grooming have had their own categories since the card shows the hotline and
the take-down route for them (docs/directory.md): a wrong guess sends the reporter to the wrong helpline. The connection's map overrides, token by token."""


class AuthRefused(ValueError):
    """The JWT does not authenticate the request: a 401 with atproto's error name."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


class Invalid(ValueError):
    """The input does not follow the lexicon: a 400 InvalidRequest naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Token:
    alg: str
    issuer: str
    audience: str
    signed: bytes
    signature: bytes


@dataclass(frozen=True)
class Key:
    alg: str
    public_key: ec.EllipticCurvePublicKey


def _b64url(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise AuthRefused("BadJwt", "poorly formatted jwt") from None


def _json_object(part: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url(part))
    except (ValueError, UnicodeDecodeError):
        raise AuthRefused("BadJwt", "poorly formatted jwt") from None
    if not isinstance(value, dict):
        raise AuthRefused("BadJwt", "poorly formatted jwt")
    return value


def _number(value: Any) -> bool:
    """A JSON number, finite (Python's json reads `Infinity` and `NaN`, which JavaScript's JSON.parse refuses:
    an `exp` of Infinity would never expire)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def bearer(header: str | None) -> str:
    """The token of an `Authorization: Bearer …` header."""
    if not header or not header.startswith("Bearer "):
        raise AuthRefused("AuthenticationRequired", "Authentication Required")
    return header.removeprefix("Bearer ").strip()


def read_token(jwt: str, *, now: datetime) -> Token:
    """The claims `verifyJwt` checks before the signature: the form, `typ`, `exp`, `lxm`, `iss`; plus `iat`
    not in the future beyond IAT_SKEW_SECONDS. The audience is checked by the caller, who routes by it."""
    parts = jwt.split(".")
    if len(parts) != 3:
        raise AuthRefused("BadJwt", "poorly formatted jwt")
    header, payload = _json_object(parts[0]), _json_object(parts[1])
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise AuthRefused("BadJwt", "poorly formatted jwt")
    typ = header.get("typ")
    if typ is not None and not isinstance(typ, str):
        raise AuthRefused("BadJwt", "poorly formatted jwt")
    if typ in _REFUSED_TYP:
        raise AuthRefused("BadJwtType", f'Invalid jwt type "{typ}"')
    iss, aud, exp, lxm = payload.get("iss"), payload.get("aud"), payload.get("exp"), payload.get("lxm")
    if not isinstance(iss, str) or not isinstance(aud, str) or not isinstance(exp, int | float) or not _number(exp):
        raise AuthRefused("BadJwt", "poorly formatted jwt")
    seconds = now.timestamp()
    if seconds > exp:
        raise AuthRefused("JwtExpired", "jwt expired")
    iat = payload.get("iat")
    if iat is not None and (not isinstance(iat, int | float) or not _number(iat) or iat > seconds + IAT_SKEW_SECONDS):
        raise AuthRefused("BadJwt", "jwt issued in the future")
    if lxm != LXM:
        said = "bad" if lxm is not None else "missing"
        raise AuthRefused("BadJwtLexiconMethod", f'{said} jwt lexicon method ("lxm"). must match: {LXM}')
    if not (_PLC.match(iss) or _WEB.match(iss)):
        raise AuthRefused("BadJwtIss", "jwt iss is not a did:plc or did:web")
    return Token(alg, iss, aud, f"{parts[0]}.{parts[1]}".encode(), _b64url(parts[2]))


# --- keys ---

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(text: str) -> bytes:
    number = 0
    for char in text:
        digit = _B58.find(char)
        if digit < 0:
            raise ValueError("not base58btc")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def atproto_key(document: Any, did: str) -> Key:
    """The `#atproto` verification method of a DID document, as packages/common-web/src/did-doc.ts finds it
    (`#atproto` or `<did>#atproto`), decoded as packages/identity/src/did/atproto-data.ts does: a `Multikey`
    (multicodec prefix, compressed point) or the legacy 2019 types (the bare point)."""
    if not isinstance(document, dict) or document.get("id") != did:
        raise AuthRefused("BadJwtIss", "the issuer's DID document is not theirs")
    methods = document.get("verificationMethod")
    for method in methods if isinstance(methods, list) else []:
        if not isinstance(method, dict) or method.get("id") not in ("#atproto", f"{did}#atproto"):
            continue
        multibase, kind = method.get("publicKeyMultibase"), method.get("type")
        if not isinstance(multibase, str) or not multibase.startswith("z"):
            break
        try:
            raw = base58btc(multibase[1:])
            if kind == "Multikey" and raw[:2] in _MULTICODEC:
                alg, curve = _MULTICODEC[raw[:2]]
                raw = raw[2:]
            elif isinstance(kind, str) and kind in _LEGACY_TYPES:
                alg, curve = _LEGACY_TYPES[kind]
            else:
                break
            return Key(alg, ec.EllipticCurvePublicKey.from_encoded_point(curve, raw))
        except ValueError:
            break
    raise AuthRefused("BadJwtIss", "the issuer's DID document has no usable #atproto key")


def signature_valid(token: Token, key: Key) -> bool:
    """ES256K or ES256 as the key's curve says (the header's `alg` must agree), over SHA-256, the signature
    the compact r‖s of 64 bytes atproto signs with. A high-S signature is accepted, as `verifyJwt` does
    (`allowMalleableSig: true`): a replayed token is caught by the report's key, not by the signature."""
    if token.alg != key.alg or len(token.signature) != 64:
        return False
    r, s = int.from_bytes(token.signature[:32], "big"), int.from_bytes(token.signature[32:], "big")
    if not r or not s:
        return False
    try:
        key.public_key.verify(encode_dss_signature(r, s), token.signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


# --- the lexicon's input and output ---


@dataclass(frozen=True)
class Defaults:
    service_did: str
    category_map: Mapping[str, Any]
    language: str


@dataclass(frozen=True)
class Mapped:
    report: dict[str, Any]
    """The fields of a Relais `ReportIn`, still to be validated by the API's own schema."""
    reason_type: str
    reason: str | None
    subject: dict[str, Any]
    """The subject as the lexicon's output gives it back (its `$type` and the fields it names)."""


def category_of(reason_type: str, mapping: Mapping[str, Any]) -> str:
    own = (mapping.get("categories") or {}).get(reason_type)
    if own in RELAIS_CATEGORIES:
        return str(own)
    return REASONS.get(reason_type, FALLBACK)


def _subject(value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the subject to answer, the content item)."""
    if not isinstance(value, dict):
        raise Invalid("subject", "expected an object")
    kind = value.get("$type")
    if kind == REPO_REF:
        did = value.get("did")
        if not isinstance(did, str) or not _DID.match(did) or len(did) > 200:
            raise Invalid("subject.did", "expected a DID")
        profile = {"kind": "profile", "content_id": did, "author_handle": did, "url": f"https://bsky.app/profile/{did}"}
        return {"$type": REPO_REF, "did": did}, profile
    if kind == STRONG_REF:
        uri, cid = value.get("uri"), value.get("cid")
        found = _AT_URI.match(uri) if isinstance(uri, str) else None
        if found is None or not isinstance(uri, str):
            raise Invalid("subject.uri", "expected an at:// URI of a record")
        if not isinstance(cid, str) or not _CID.match(cid):
            raise Invalid("subject.cid", "expected a CID")
        did, collection, rkey = found.groups()
        item: dict[str, Any] = {"author_handle": did[:200]}
        if len(uri) <= 200:
            item["content_id"] = uri
        if collection == "app.bsky.feed.post":
            item["kind"], item["url"] = "post", f"https://bsky.app/profile/{did}/post/{rkey}"
        elif collection == "app.bsky.actor.profile":
            item["kind"], item["url"] = "profile", f"https://bsky.app/profile/{did}"
        else:
            item["kind"] = "other"
        return {"$type": STRONG_REF, "uri": uri, "cid": cid}, item
    raise Invalid("subject.$type", f"expected {REPO_REF} or {STRONG_REF}")


def read_input(body: Any, *, reporter: str, defaults: Defaults, now: datetime) -> Mapped:
    """createReport's input as a Relais report. The report's id is a digest of the service, the reporter, the
    subject and the reason: a replayed or retried call finds the first report (ADR 0033)."""
    if not isinstance(body, dict):
        raise Invalid("body", "expected a JSON object")
    reason_type = body.get("reasonType")
    if not isinstance(reason_type, str) or not reason_type or len(reason_type) > 300:
        raise Invalid("reasonType", "expected a reason type such as com.atproto.moderation.defs#reasonSpam")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise Invalid("reason", f"expected a text of at most {MAX_REASON} characters")
    subject, item = _subject(body.get("subject"))
    digest = hashlib.sha256(
        json.dumps([defaults.service_did, reporter, subject, reason_type, reason or ""], sort_keys=True).encode()
    ).hexdigest()[:48]
    report: dict[str, Any] = {
        "platform_report_id": f"bluesky:{digest}",
        "category": category_of(reason_type, defaults.category_map),
        "reporter": {"language": defaults.language, "pseudonym": f"bluesky:{reporter}"[:200]},
        "content": [item],
        "reported_at": now.astimezone(UTC).isoformat(),
    }
    description = (reason or "").strip()
    if description:
        report["description"] = description[:MAX_DESCRIPTION]
    return Mapped(report=report, reason_type=reason_type, reason=reason, subject=subject)


def numeric_id(report_id: str) -> int:
    """The lexicon's `id` is an integer: 52 bits of the report's UUID, within JavaScript's safe integers."""
    return int(report_id.replace("-", "")[:13], 16)


def output(mapped: Mapped, *, report_id: str, reporter: str, created_at: datetime) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": numeric_id(report_id),
        "reasonType": mapped.reason_type,
        "subject": mapped.subject,
        "reportedBy": reporter,
        "createdAt": created_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if mapped.reason is not None:
        answer["reason"] = mapped.reason
    return answer


# --- the help message: a chat message from the service's account (ADR 0033, addendum) ---

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
"""The `atproto-proxy` header that sends a `chat.bsky.*` call through the account's PDS to Bluesky's chat
service (packages/pds/src/pipethrough.ts `parseProxyHeader`: `<did>#<service id>`)."""
DEFAULT_ALLOW_INCOMING = "following"
"""No `chat.bsky.actor.declaration` record: the Bluesky app's own default (social-app
src/screens/Messages/Settings.tsx, `associated?.chat?.allowIncoming ?? 'following'`)."""
REFUSING_ERRORS = frozenset(
    {"MessagesDisabled", "NotFollowedBySender", "BlockedActor", "BlockedSubject", "RecipientNotFound"}
)
"""getConvoForMembers' errors (lexicons/chat/bsky/convo/getConvoForMembers.json) that mean the reporter
does not take this message: recorded as not allowed, never retried. `AccountSuspended` is the service
account's own trouble, for a person to see."""


def pds_endpoint(document: Any, did: str) -> str:
    """The `#atproto_pds` service of a DID document (packages/common-web/src/did-doc.ts `getPdsEndpoint`):
    an http(s) origin, without a path. Raises Invalid."""
    if not isinstance(document, dict) or document.get("id") != did:
        raise Invalid("id", "the DID document is not the account's")
    services = document.get("service")
    for service in services if isinstance(services, list) else []:
        if not isinstance(service, dict) or service.get("id") not in ("#atproto_pds", f"{did}#atproto_pds"):
            continue
        endpoint = service.get("serviceEndpoint")
        if service.get("type") == "AtprotoPersonalDataServer" and isinstance(endpoint, str):
            endpoint = endpoint.rstrip("/")
            if re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", endpoint):
                return endpoint
        break
    raise Invalid("service", "the DID document names no #atproto_pds service (AtprotoPersonalDataServer)")


@dataclass(frozen=True)
class Allowance:
    allowed: bool
    why: str
    """What the reporter's settings say, for the admin: never the report."""


def chat_allowance(profile: Any) -> Allowance:
    """May the service's account message this reporter? From `app.bsky.actor.getProfile` as the service's
    account sees it: `associated.chat.allowIncoming` (their `chat.bsky.actor.declaration`; absent = the
    app's default, `following`) and `viewer.followedBy` (present when the reporter follows the account).
    `following` means "accounts I follow": the reporter must follow the service, not the other way round."""
    associated = profile.get("associated") if isinstance(profile, dict) else None
    chat = associated.get("chat") if isinstance(associated, dict) else None
    setting = chat.get("allowIncoming") if isinstance(chat, dict) else None
    if not isinstance(setting, str):
        setting = DEFAULT_ALLOW_INCOMING
    if setting == "all":
        return Allowance(True, "the reporter takes messages from everyone")
    if setting == "following":
        viewer = profile.get("viewer") if isinstance(profile, dict) else None
        if isinstance(viewer, dict) and isinstance(viewer.get("followedBy"), str):
            return Allowance(True, "the reporter follows the service's account")
        return Allowance(False, "the reporter takes messages only from accounts they follow, not this one")
    if setting == "none":
        return Allowance(False, "the reporter takes no messages")
    return Allowance(False, f"the reporter's setting {setting[:40]!r} is unknown: not sent")


def chat_message(text: str, link: str) -> dict[str, Any]:
    """chat.bsky.convo.defs#messageInput: the text (at most 1,000 graphemes) and the link as a facet
    (app.bsky.richtext.facet#link, byte offsets in UTF-8) so that the app shows it as a link."""
    encoded, needle = text.encode(), link.encode()
    start = encoded.find(needle)
    message: dict[str, Any] = {"text": text}
    if start >= 0:
        message["facets"] = [
            {
                "index": {"byteStart": start, "byteEnd": start + len(needle)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
            }
        ]
    return message


def already_sent(messages: Any, *, sender: str, link: str) -> bool:
    """Whether `chat.bsky.convo.getMessages` lists a message from `sender` carrying `link`: an earlier attempt
    that reached the chat service though its answer was lost. sendMessage has no idempotency key."""
    listed = messages.get("messages") if isinstance(messages, dict) else None
    for message in listed if isinstance(listed, list) else []:
        if not isinstance(message, dict):
            continue
        who = message.get("sender")
        if isinstance(who, dict) and who.get("did") == sender and link in str(message.get("text", "")):
            return True
    return False
