"""The help message on Bluesky: a chat message from the service's account, where the reporter allows it.

One attempt, called by the `send_help_message` task (services.attempt_help_message): open or renew the
account's session on its PDS, read the reporter's chat setting as the account sees them, then get the
1-1 conversation and send the message — the chat calls through the PDS with the `atproto-proxy` header,
as Bluesky's own app makes them. The lexicons are bluesky-social/atproto's (lexicons/chat/bsky/convo/
getConvoForMembers.json, sendMessage.json, getMessages.json, defs.json; lexicons/chat/bsky/actor/
declaration.json; lexicons/com/atproto/server/createSession.json, refreshSession.json), read 2026-12-03.

The session (access and refresh JWTs) is kept sealed on the connection: every worker process shares it,
and a restart does not open a new one — createSession is rate-limited per account on Bluesky's PDSes, and
a worker per job (rq) would otherwise log in for every message. An access token the PDS calls expired
(`ExpiredToken`, as @atproto/api's AtpAgent checks) is refreshed with refreshSession, once per call; a
refresh token that no longer works opens a new session with the app password. ADR 0033, addendum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from relais.evidence import crypto
from relais.integrations import services
from relais.integrations.bluesky import adapter, xrpc
from relais.integrations.models import Connection, HelpMessage
from relais.webhooks import transport

SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
HISTORY = 50
"""How far back getMessages looks, on a retry, for a message an earlier attempt may have sent."""


@dataclass(frozen=True)
class NotAllowed:
    why: str


class _Stop(Exception):
    """Ends an attempt early, carrying its outcome (a refused password, the PDS down)."""

    def __init__(self, response: transport.Response) -> None:
        self.response = response


def _response(answer: xrpc.Answer, what: str) -> transport.Response:
    """An answer that ends the attempt, shaped for services._record (which retries 5xx, 429 and no answer)."""
    error = "" if answer.ok else f"{what}: {answer.error or 'unreadable answer'}"
    code = answer.status_code if answer.ok or answer.status_code is None or answer.status_code >= 300 else 502
    return transport.Response(code, error[:300], 0, answer.retry_after, answer.refused)


def _give_up(why: str) -> transport.Response:
    """A failure a person must fix (the app password): 401, which _record never retries."""
    return transport.Response(401, why[:300], 0)


class Session:
    """The service account's session on its PDS, read from and written back to the connection (sealed)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.access = self.refresh = ""
        try:
            stored = services.unseal(connection, "session")
        except crypto.SealBroken:
            stored = ""
        if stored:
            tokens = json.loads(stored)
            self.access, self.refresh = tokens.get("accessJwt", ""), tokens.get("refreshJwt", "")

    def _keep(self, answer: xrpc.Answer) -> None:
        data = answer.data if isinstance(answer.data, dict) else {}
        access, refresh = data.get("accessJwt"), data.get("refreshJwt")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise _Stop(transport.Response(502, "the PDS answered a session without its tokens", 0))
        self.access, self.refresh = access, refresh
        sealed = services.seal(self.connection, "session", json.dumps({"accessJwt": access, "refreshJwt": refresh}))
        Connection.objects.filter(pk=self.connection.pk).update(session_sealed=sealed)

    def _create(self) -> None:
        connection = self.connection
        try:
            password = services.unseal(connection, "token")
        except crypto.SealBroken:
            raise _Stop(_give_up("the app password cannot be opened (RELAIS_EVIDENCE_KEYS changed?)")) from None
        if not password or not connection.account_did or not connection.pds_url:
            raise _Stop(_give_up("no service account: relais bluesky connect … --app-password-stdin"))
        answer = xrpc.call(
            "POST",
            f"{connection.pds_url}/xrpc/com.atproto.server.createSession",
            body={"identifier": connection.account_did, "password": password},
        )
        if answer.status_code in (400, 401) and not answer.ok:
            raise _Stop(
                _give_up(
                    f"the PDS refused the app password ({answer.error}): make one with access to direct "
                    "messages and run `relais bluesky connect … --app-password-stdin` again"
                )
            )
        if not answer.ok:
            raise _Stop(_response(answer, "createSession"))
        self._keep(answer)

    def _renew(self) -> None:
        """refreshSession with the refresh token; a new session when that token is refused too."""
        if self.refresh:
            answer = xrpc.call(
                "POST",
                f"{self.connection.pds_url}/xrpc/com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {self.refresh}"},
            )
            if answer.ok:
                self._keep(answer)
                return
            if answer.status_code not in (400, 401):
                raise _Stop(_response(answer, "refreshSession"))
        self._create()

    def call(self, method: str, nsid: str, *, params: dict[str, Any] | None = None, **options: Any) -> xrpc.Answer:
        """One XRPC call as the account; an expired or refused token renews the session, then one retry."""
        if not self.access:
            self._create()
        url = f"{self.connection.pds_url}/xrpc/{nsid}"
        if params:
            url = f"{url}?{urlencode(params, doseq=True)}"
        headers = dict(options.pop("headers", {}))
        answer = xrpc.call(method, url, headers={**headers, "Authorization": f"Bearer {self.access}"}, **options)
        if answer.error_name in SESSION_ERRORS or answer.status_code == 401:
            self._renew()
            answer = xrpc.call(method, url, headers={**headers, "Authorization": f"Bearer {self.access}"}, **options)
        return answer


def send(message: HelpMessage, link: str) -> transport.Response | NotAllowed:
    """One attempt. Never names or notifies the reported account: the message goes to the reporter's DID
    alone and carries nothing from the report."""
    connection = message.connection
    reporter = message.recipient
    session = Session(connection)
    proxy = {"atproto-proxy": adapter.CHAT_PROXY}
    try:
        profile = session.call("GET", "app.bsky.actor.getProfile", params={"actor": reporter})
        if not profile.ok:
            return _response(profile, "getProfile")
        allowance = adapter.chat_allowance(profile.data)
        if not allowance.allowed:
            return NotAllowed(allowance.why)
        convo = session.call("GET", "chat.bsky.convo.getConvoForMembers", params={"members": [reporter]}, headers=proxy)
        if convo.error_name in adapter.REFUSING_ERRORS:
            return NotAllowed(f"the chat service refused the conversation ({convo.error_name})")
        convo_id = (convo.data or {}).get("convo", {}).get("id") if isinstance(convo.data, dict) else None
        if not convo.ok or not isinstance(convo_id, str):
            return _response(convo, "getConvoForMembers")
        if message.attempts > 0:  # an earlier attempt may have sent it and lost the answer
            history = session.call(
                "GET", "chat.bsky.convo.getMessages", params={"convoId": convo_id, "limit": HISTORY}, headers=proxy
            )
            if history.ok and adapter.already_sent(history.data, sender=connection.account_did, link=link):
                return transport.Response(200, "", 0)
        text = services.notice_text(language=message.language, link=link)
        sent = session.call(
            "POST",
            "chat.bsky.convo.sendMessage",
            headers=proxy,
            body={"convoId": convo_id, "message": adapter.chat_message(text, link)},
        )
        return _response(sent, "sendMessage")
    except _Stop as stop:
        return stop.response
