"""Soak: mixed load on the production layout (bench/prod_layout.py) for --minutes (default 10).

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 4]

Load: help cards, reports, shares with a helpline, the helpline's case looks. Prints the 5xx count (goal 0),
acknowledged reports missing from the database afterwards (goal 0) and the RSS of every gunicorn and task
worker after warm-up and at the end (goal: within 10 %). Not done yet: decisions and webhook deliveries
(production refuses a loopback receiver; an egress proxy with a trusted certificate would be needed).
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
from prod_layout import Layout, production_layout, rss_kib


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with production_layout("soak_load") as layout:
        key = layout.relais("platform", "add", "Soak Social").strip().splitlines()[-1]
        helpline_key = (
            layout.relais("helpline", "add", "Soak 3018", "--directory-id", "fr-3018").strip().splitlines()[-1]
        )
        paths = help_paths(200, 7)
        lock = threading.Lock()
        counts: dict[str, int] = {}
        acknowledged: set[str] = set()
        stop = time.monotonic() + args.minutes * 60
        warm = time.monotonic() + min(60.0, args.minutes * 60 / 5)
        baseline: dict[str, int] = {}

        def note(kind: str, status: int) -> None:
            with lock:
                counts[f"{kind} {status}"] = counts.get(f"{kind} {status}", 0) + 1
                if status >= 500 or status == 0:
                    counts["5xx"] = counts.get("5xx", 0) + 1

        def client(n: int) -> None:
            i = 0
            while time.monotonic() < stop:
                i += 1
                note("help", call(layout, paths[i % len(paths)], key)[0])
                body = {
                    "platform_report_id": f"s{n}-{i}",
                    "category": "harassment",
                    "reporter": {"country": "FR", "language": "fr", "age": 14},
                    "content": [{"kind": "message", "text": f"message {i}"}],
                }
                status, data = call(layout, "/api/v1/reports", key, body)
                note("report", status)
                if status == 201:
                    with lock:
                        acknowledged.add(data["id"])
                if status in (200, 201) and i % 3 == 0:
                    consent = {"given_at": datetime.now(UTC).isoformat(), "text_version": "v1", "scope": ["report"]}
                    status, shared = call(
                        layout,
                        f"/api/v1/reports/{data['id']}/share",
                        key,
                        {"helpline_id": "fr-3018", "consent": consent},
                    )
                    note("share", status)
                    code = str((shared or {}).get("case_code", "")).replace(" ", "")
                    if code:
                        # The code goes in the look-up's body, never a path (ADR 0030).
                        lookup = {"code": code}
                        note("case", call(layout, "/api/v1/helpline/cases/lookup", helpline_key, lookup)[0])

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(max(0.0, warm - time.monotonic()))
        baseline = rss(layout)
        load_warm = os.getloadavg()
        for t in threads:
            t.join()
        end = rss(layout)
        with psycopg.connect(layout.database_url) as conn:
            stored = {str(r[0]) for r in conn.execute("SELECT id FROM reports_report").fetchall()}
        lost = len({a.replace("-", "") for a in acknowledged} - {s.replace("-", "") for s in stored})
        print(
            f"minutes {args.minutes}  clients {args.clients}  load average at warm-up {load_warm}  at end {os.getloadavg()}"
        )
        for name, count in sorted(counts.items()):
            print(f"  {name:>14}: {count}")
        print(
            f"5xx (and refused connections): {counts.get('5xx', 0)}   acknowledged reports lost: {lost} of {len(acknowledged)}"
        )
        for name, kib in baseline.items():
            grown = (end.get(name, 0) - kib) / kib * 100 if kib else 0.0
            print(
                f"  RSS {name}: {kib / 1024:.1f} MiB after warm-up, {end.get(name, 0) / 1024:.1f} MiB at end ({grown:+.1f} %)"
            )
        if counts.get("5xx", 0) or lost:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
