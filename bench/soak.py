"""Soak: mixed load on the production layout (bench/prod_layout.py) for --minutes (default 10).

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 3] [--pause 5] [--web-workers 3]

Load, from `--clients` threads, each looping then resting `--pause` seconds: five help cards; a report; one report in three shared with the 3018
(the reporter's consent) and looked up by the 3018 by its code; one in two of those escalated by the 3018 and
decided by the platform's moderator through the API. The platform's webhook endpoint (every platform event) is
a signature-checking receiver on 127.0.0.1, reached through RELAIS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8 (ADR
0035), so every report, share, escalation and decision is a delivery for the two task workers. The pause
keeps the events (about 1.8 an iteration) within what two database-queue workers deliver on a busy 2-core
machine: a soak measures a steady state, not a backlog growing for ten minutes (docs/benchmarks.md §8).

Goals (issue 16), each printed and checked: no 5xx (a refused connection or a cut-off answer counts as one);
0 acknowledged report lost (every 201 is a row afterwards); every webhook delivered: once the load stops and
the queue drains, the receiver holds every delivery the database recorded, by `webhook-id`, each signature
valid, none received more often than it was attempted (a retry may legitimately repeat one), and as many
`report.created` as acknowledged reports; and the RSS of each gunicorn worker and task worker (from /proc;
psutil is not a dependency) at the end within 10 % of its size after the warm-up (a fifth of the run, at most
a minute), with the largest sample in between shown too. Exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

import http_help
import psycopg
from http_help import help_paths
from prod_layout import Layout, Receiver, production_layout, receiving, rss_kib

ESCALATION = {
    "category": "harassment",
    "ground_kind": "illegal",
    "ground": "Code pénal art. 222-33-2-2 (harcèlement moral en ligne)",
    "explanation": "Daily insults to a 14-year-old since September, from one account.",
    "content_positions": [0],
}
DECISION = {
    "moderator": "soak-mod",
    "outcome": "no_action",
    "facts": "The messages are a disagreement between classmates, with no insult.",
}
RSS_GOAL = 10.0  # per cent
DRAIN_SECONDS = 480.0


def call(layout: Layout, path: str, key: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """GET, or POST `body`; a refused connection or a cut-off answer counts as status 0 (with the 5xx)."""
    try:
        return http_help.call(layout.port, "GET" if body is None else "POST", path, key, body, timeout=30)
    except (OSError, http.client.HTTPException):  # refused, reset, or an answer cut off (IncompleteRead)
        return 0, None


def rss(layout: Layout) -> dict[str, int]:
    out = {f"web-{pid}": rss_kib(pid) for pid in layout.web_pids()}
    out.update({f"task-{w.pid}": rss_kib(w.pid) for w in layout.workers})
    return out


def deliveries(layout: Layout) -> list[tuple[str, str, str, int]]:
    with psycopg.connect(layout.database_url) as conn:
        rows = conn.execute("SELECT message_id, event_type, status, attempts FROM webhooks_delivery").fetchall()
    return [(str(m), str(t), str(s), int(a)) for m, t, s, a in rows]


def drain(layout: Layout, receiver: Receiver) -> tuple[list[tuple[str, str, str, int]], float]:
    """Wait (at most DRAIN_SECONDS) until no delivery is pending and the receiver holds every one."""
    started = time.monotonic()
    while True:
        rows = deliveries(layout)
        received = receiver.by_id()
        if all(s != "pending" for _, _, s, _ in rows) and all(m in received for m, _, _, _ in rows):
            return rows, time.monotonic() - started
        if time.monotonic() - started > DRAIN_SECONDS:
            return rows, time.monotonic() - started
        time.sleep(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds each client rests between iterations")
    parser.add_argument("--web-workers", type=int, default=3)
    args = parser.parse_args()
    with receiving() as receiver, production_layout("soak_load", web_workers=args.web_workers) as layout:
        key = layout.relais("platform", "add", "Soak Social").strip().splitlines()[-1]
        helpline_key = (
            layout.relais("helpline", "add", "Soak 3018", "--directory-id", "fr-3018").strip().splitlines()[-1]
        )
        status, endpoint = call(
            layout,
            "/api/v1/webhooks/endpoints",
            key,
            {
                "url": receiver.url,
                "event_types": ["report.created", "report.shared", "notice.escalated", "notice.decided"],
            },
        )
        if status != 201:
            raise SystemExit(f"the webhook endpoint was answered {status}: {endpoint}")
        receiver.secret = endpoint["secret"]
        paths = help_paths(200, 7)
        lock = threading.Lock()
        counts: dict[str, int] = {}
        acknowledged: set[str] = set()
        started = time.monotonic()
        stop = started + args.minutes * 60
        warm = started + min(60.0, args.minutes * 60 / 5)
        samples: list[dict[str, int]] = []
        print(f"layout up on {layout.base}; loading for {args.minutes} min", flush=True)

        def note(kind: str, status: int) -> None:
            with lock:
                counts[f"{kind} {status}"] = counts.get(f"{kind} {status}", 0) + 1
                if status >= 500 or status == 0:
                    counts["5xx"] = counts.get("5xx", 0) + 1

        def client(n: int) -> None:
            i = 0
            while time.monotonic() < stop:
                i += 1
                if i > 1:
                    time.sleep(args.pause)
                for h in range(5):
                    note("help", call(layout, paths[(5 * i + h) % len(paths)], key)[0])
                body = {
                    "platform_report_id": f"s{n}-{i}",
                    "category": "harassment",
                    "reporter": {"country": "FR", "language": "fr", "age": 14},
                    "content": [{"kind": "message", "content_id": f"m{n}-{i}", "text": f"message {i}"}],
                }
                status, data = call(layout, "/api/v1/reports", key, body)
                note("report", status)
                if status == 201:
                    with lock:
                        acknowledged.add(data["id"])
                if status not in (200, 201) or i % 3:
                    continue
                consent = {"given_at": datetime.now(UTC).isoformat(), "text_version": "v1", "scope": ["report"]}
                status, shared = call(
                    layout, f"/api/v1/reports/{data['id']}/share", key, {"helpline_id": "fr-3018", "consent": consent}
                )
                note("share", status)
                code = str((shared or {}).get("case_code", "")).replace(" ", "")
                if not code:
                    continue
                # The code goes in the look-up's body, never a path (ADR 0030).
                status, case = call(layout, "/api/v1/helpline/cases/lookup", helpline_key, {"code": code})
                note("case", status)
                if status != 200 or i % 6:
                    continue
                status, notice = call(layout, f"/api/v1/helpline/cases/{case['id']}/escalate", helpline_key, ESCALATION)
                note("escalate", status)
                if status == 201:
                    decided = call(layout, f"/api/v1/moderation/notices/{notice['id']}/decision", key, DECISION)
                    note("decision", decided[0])

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, warm - time.monotonic()))
        baseline = rss(layout)
        load_warm = os.getloadavg()
        while time.monotonic() < stop:
            time.sleep(min(30.0, max(0.0, stop - time.monotonic())))
            samples.append(rss(layout))
        for thread in threads:
            thread.join()
        end = rss(layout)
        print(f"load stopped; draining the webhooks (at most {DRAIN_SECONDS:.0f} s)", flush=True)
        load_end = os.getloadavg()
        elapsed = time.monotonic() - started
        rows, drained = drain(layout, receiver)
        received = receiver.by_id()
        with psycopg.connect(layout.database_url) as conn:
            stored = {str(r[0]) for r in conn.execute("SELECT id FROM reports_report").fetchall()}
        lost = len({a.replace("-", "") for a in acknowledged} - {s.replace("-", "") for s in stored})
        missing = [m for m, _, _, _ in rows if m not in received]
        unknown = [m for m in received if m not in {r[0] for r in rows}]
        too_often = [m for m, _, _, attempts in rows if received.get(m, 0) > max(attempts, 1)]
        repeated = sum(max(0, c - 1) for c in received.values())
        undelivered = [(m, t, s) for m, t, s, _ in rows if s != "delivered"]
        invalid = sum(1 for r in receiver.received if not r.valid)
        created = sum(1 for _, t, _, _ in rows if t == "report.created")
        kinds: dict[str, int] = {}
        for _, t, _, _ in rows:
            kinds[t] = kinds.get(t, 0) + 1
        requests = sum(v for k, v in counts.items() if k != "5xx")

        print(
            f"minutes {args.minutes}  clients {args.clients} (pause {args.pause:g} s)  web workers {args.web_workers}  task workers 2  "
            f"load average at warm-up {load_warm}  at end {load_end}"
        )
        print(f"requests {requests} in {elapsed:.0f} s ({requests / elapsed:.1f}/s)")
        for name, count in sorted(counts.items()):
            print(f"  {name:>14}: {count}")
        print(
            f"5xx (and refused connections): {counts.get('5xx', 0)}   "
            f"acknowledged reports lost: {lost} of {len(acknowledged)}"
        )
        print(
            f"webhooks: {len(rows)} recorded ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
            f"received {sum(received.values())} requests for {len(received)} ids, drained {drained:.0f} s after the load; "
            f"missing {len(missing)}, not delivered {len(undelivered)}, unknown ids {len(unknown)}, "
            f"repeats {repeated} (beyond attempts: {len(too_often)}), bad signatures {invalid}, "
            f"report.created {created} for {len(acknowledged)} acknowledged reports"
        )
        rss_failed = []
        for name, kib in baseline.items():
            last = end.get(name, 0)
            grown = (last - kib) / kib * 100 if kib else 0.0
            peak = max([s.get(name, 0) for s in samples] + [last])
            if abs(grown) > RSS_GOAL:
                rss_failed.append(name)
            print(
                f"  RSS {name}: {kib / 1024:.1f} MiB after warm-up, {last / 1024:.1f} MiB at end ({grown:+.1f} %), "
                f"largest sample {peak / 1024:.1f} MiB"
            )
        failed = {
            "5xx": counts.get("5xx", 0),
            "lost reports": lost,
            "webhooks missing or not delivered": len(missing) + len(undelivered) + len(unknown) + len(too_often),
            "bad signatures": invalid,
            "report.created != acknowledged": int(created != len(acknowledged)),
            "RSS beyond 10 %": len(rss_failed),
        }
        misses = {k: v for k, v in failed.items() if v}
        print("goals met" if not misses else f"goals missed: {misses}")
        if misses:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
