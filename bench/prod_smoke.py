"""`make prod-smoke`: the production layout (bench/prod_layout.py) and one story through it, as a platform,
a helpline and an operator would see it. Each step is printed; the first failure stops it with exit code 1.

    .venv/bin/python bench/prod_smoke.py [--keep-log]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres; it creates and drops the database `prod_smoke`) and Redis
on 127.0.0.1:6379 (db 7; BENCH_ADMIN_DATABASE_URL and BENCH_REDIS_URL change them). Takes about a minute.

The story: a platform and a helpline created with the CLI; the platform registers a webhook endpoint on a
local receiver (allowed through RELAIS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8, ADR 0035); a report answered
with a help card; the reporter's consent shares it with the 3018; the 3018 looks the case up by its code and
escalates it; the platform's moderator decides through the API; the reporter's page shows the decision; the
receiver got every event the database recorded, each signature valid; /api/v1/ready answers ready and
/metrics answers with its token (and 401 without).
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import http_help
import psycopg
from prod_layout import Layout, Receiver, production_layout, receiving

STEP = 0
ESCALATION = {
    "category": "harassment",
    "ground_kind": "illegal",
    "ground": "Code pénal art. 222-33-2-2 (harcèlement moral en ligne)",
    "explanation": "Daily insults to a 14-year-old since September, from one account.",
    "content_positions": [0],
}
DECISION = {
    "moderator": "smoke-mod",
    "outcome": "no_action",
    "facts": "The messages are a disagreement between classmates, with no insult.",
}


class Failed(Exception):
    pass


def step(text: str) -> None:
    global STEP
    STEP += 1
    print(f"[{STEP:2}] {text}", flush=True)


def expect(condition: bool, failure: str) -> None:
    if not condition:
        raise Failed(failure)


def api(layout: Layout, method: str, path: str, key: str, body: Any = None, want: int = 200) -> Any:
    status, answer = http_help.call(layout.port, method, path, key, body, timeout=30)
    expect(status == want, f"{method} {path} answered {status}, not {want}: {answer}")
    return answer


def raw_get(layout: Layout, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", layout.port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_for_deliveries(layout: Layout, receiver: Receiver, timeout: float = 60.0) -> list[tuple[str, str, str]]:
    """Until the database has no pending delivery and the receiver holds every delivered one."""
    deadline = time.monotonic() + timeout
    while True:
        with psycopg.connect(layout.database_url) as conn:
            rows = conn.execute("SELECT message_id, event_type, status FROM webhooks_delivery").fetchall()
        pending = [r for r in rows if r[2] == "pending"]
        if not pending and set(receiver.by_id()) >= {r[0] for r in rows}:
            return [(str(a), str(b), str(c)) for a, b, c in rows]
        if time.monotonic() > deadline:
            raise Failed(f"after {timeout:.0f} s: {len(pending)} deliveries pending, rows {rows}")
        time.sleep(0.5)


def story(layout: Layout, receiver: Receiver) -> None:
    step("a platform and a helpline created with the CLI (relais platform add, relais helpline add)")
    key = layout.relais("platform", "add", "Smoke Social").strip().splitlines()[-1]
    helpline_key = layout.relais("helpline", "add", "Smoke 3018", "--directory-id", "fr-3018").strip().splitlines()[-1]

    step(f"the platform registers a webhook endpoint on the local receiver {receiver.url}")
    endpoint = api(
        layout,
        "POST",
        "/api/v1/webhooks/endpoints",
        key,
        {"url": receiver.url, "event_types": ["report.created", "report.shared", "notice.escalated", "notice.decided"]},
        want=201,
    )
    receiver.secret = endpoint["secret"]

    step("a report from a 14-year-old in France is answered 201 with a help card naming the 3018")
    report = api(
        layout,
        "POST",
        "/api/v1/reports",
        key,
        {
            "platform_report_id": "smoke-1",
            "category": "harassment",
            "reporter": {"country": "FR", "language": "fr", "age": 14},
            "content": [{"kind": "message", "content_id": "m-1", "text": "t'es nul, personne ne t'aime"}],
        },
        want=201,
    )
    card = str(report.get("help_card", report))
    expect("fr-3018" in card, f"the help card does not name the 3018: {card[:500]}")
    page = urllib.parse.urlsplit(report["reporter_url"]).path
    status, shown = raw_get(layout, page)
    expect(status == 200 and "n'a pas encore décidé" in shown, f"the reporter's page before the decision: {status}")

    step("the reporter's consent shares it with the 3018: a case code")
    consent = {"given_at": datetime.now(UTC).isoformat(), "text_version": "smoke-1", "scope": ["report", "content"]}
    shared = api(
        layout,
        "POST",
        f"/api/v1/reports/{report['id']}/share",
        key,
        {"helpline_id": "fr-3018", "consent": consent},
        want=201,
    )
    code = str(shared["case_code"])

    step("the 3018 looks the case up by its code (in the body, ADR 0030) and escalates it to the platform")
    case = api(layout, "POST", "/api/v1/helpline/cases/lookup", helpline_key, {"code": code})
    notice = api(layout, "POST", f"/api/v1/helpline/cases/{case['id']}/escalate", helpline_key, ESCALATION, want=201)

    step("the platform's moderator finds it in the queue (one row per reported content) and decides via the API")
    queue = api(layout, "GET", "/api/v1/moderation/queue?limit=5", key)
    ids = [queue[0]["id"], *(g["notice_id"] for g in queue[0].get("grouped", []))] if queue else []
    expect(notice["id"] in ids, f"the escalation is not in the queue's first row: {queue}")
    api(layout, "POST", f"/api/v1/moderation/notices/{notice['id']}/decision", key, DECISION, want=201)

    step("the reporter's page shows the decision")
    status, shown = raw_get(layout, page)
    expect(status == 200 and "a décidé" in shown, f"the reporter's page after the decision: {status}")

    step("the receiver got every webhook the database recorded, once, each signature valid")
    rows = wait_for_deliveries(layout, receiver)
    counts = receiver.by_id()
    expect(all(status == "delivered" for _, _, status in rows), f"not every delivery is delivered: {rows}")
    kinds = sorted(kind for _, kind, _ in rows)
    expect(
        # One decision covers both notices about the content (the reporter's and the 3018's, ADR 0027).
        kinds == ["notice.decided", "notice.decided", "notice.escalated", "report.created", "report.shared"],
        f"unexpected events: {kinds}",
    )
    expect(all(counts.get(m) == 1 for m, _, _ in rows), f"a delivery missing or received twice: {counts}")
    expect(all(r.valid for r in receiver.received), "a signature did not verify")
    print(f"     {len(rows)} deliveries: {', '.join(kinds)}")

    step("/api/v1/ready answers ready; /metrics answers with its token and 401 without")
    status, ready = raw_get(layout, "/api/v1/ready")
    expect(status == 200, f"/api/v1/ready answered {status}: {ready}")
    status, metrics = raw_get(layout, "/metrics", {"Authorization": f"Bearer {layout.metrics_token}"})
    expect(status == 200 and "relais_" in metrics, f"/metrics answered {status}")
    expect(raw_get(layout, "/metrics")[0] == 401, "/metrics answered without its token")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web-workers", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    step(f"the production layout: PostgreSQL, Redis, gunicorn x {args.web_workers}, two task workers")
    try:
        with receiving() as receiver, production_layout("prod_smoke", web_workers=args.web_workers) as layout:
            print(
                f"     up on {layout.base}, workers {layout.web_pids()}, task workers {[w.pid for w in layout.workers]}"
            )
            story(layout, receiver)
    except (Failed, RuntimeError, SystemExit) as exc:
        print(f"FAILED at step {STEP}: {exc}  (server log: /tmp/prod_smoke.log)", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"prod-smoke passed: {STEP} steps in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
