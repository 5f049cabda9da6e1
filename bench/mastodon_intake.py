"""Mastodon adapter intake as a ratio of the JSON API's intake, on the same server and database.

    .venv/bin/python bench/mastodon_intake.py [--seconds 10] [--rounds 5] [--workers 2] [--concurrency 8]
        [--database-url postgres://postgres@127.0.0.1:5432/mastodon_bench] [--send-help]

Starts the real server (`relais migrate`, `relais serve`: gunicorn sync workers) on a free 127.0.0.1 port,
adds a platform with a default reporters' country (`relais platform add … --reporter-country FR`) and a
Mastodon connection (`relais mastodon connect`), checks one delivery of Mastodon's documented payload
(relais/integrations/mastodon/fixtures/report_created.json) is answered 200 and a redelivery stores nothing,
then alternates slices of `POST /api/v1/reports` (bench/intake.py's mix of reporters) and of signed
`report.created` deliveries to the adapter, every report new. Both loads are Python http.client threads (the
deliveries must be signed per body, which wrk's Lua cannot do), so both pay the same client cost. Prints
req/s and p50/p99 for each, and the ratio adapter/API (median of the rounds; goal >= 0.8).

`--send-help` turns on the connection's help message: every local reporter's report then also writes its
HelpMessage row and queues its task (no worker runs: the messages just wait).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import os
import statistics
import subprocess
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import orjson
from http_help import HOST, ROOT, free_port, relais_command, running_server, server_env, threaded_load
from intake import REPORTS, ensure_database, report_templates

FIXTURE = ROOT / "relais/integrations/mastodon/fixtures/report_created.json"
ID = "@@ID@@"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mastodon_bench"


def relais(database_url: str, *args: str, stdin: str = "") -> str:
    out = subprocess.run(
        [*relais_command(), *args],
        env=server_env(database_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        input=stdin,
    )
    return out.stdout


def mastodon_template() -> tuple[str, str]:
    """Mastodon's documented delivery, split around the report's id."""
    payload = orjson.loads(FIXTURE.read_bytes())
    payload["object"]["id"] = ID
    before, after = orjson.dumps(payload).decode().split(ID)
    return before, after


def signed(secret: bytes, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature": f"sha256={digest}"}


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="load per endpoint, in total (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating slices per endpoint (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections in flight (default 8)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--send-help", action="store_true", help="the connection sends help messages (queued)")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("this benchmark is for PostgreSQL: --database-url postgres://…")
    ensure_database(args.database_url)
    port = free_port()
    run = uuid.uuid4().hex[:8]
    api_templates = report_templates(200, args.seed)
    before, after = mastodon_template()
    with (
        tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp,
        open(Path(tmp) / "server.log", "w") as log,
        running_server(port, args.workers, args.database_url, log),
    ):
        slug = f"mb{run}"
        key = relais(args.database_url, "platform", "add", slug, "--slug", slug, "--reporter-country", "FR")
        key = key.strip().splitlines()[-1]
        connect = ["mastodon", "connect", slug, "--instance", f"https://{run}.social.example", "--token-stdin"]
        lines = relais(args.database_url, *connect, *(["--send-help"] if args.send_help else []), stdin="t\n")
        url, secret_line = lines.strip().splitlines()
        path = urllib.parse.urlsplit(url.removeprefix("webhook_url: ")).path
        secret = secret_line.removeprefix("secret: ").encode()

        first = f"{before}check-{run}{after}".encode()
        answers = [post(port, path, first, signed(secret, first))[0] for _ in range(2)]
        if answers != [200, 200]:
            raise SystemExit(f"the adapter answered {answers} to a delivery and its redelivery")

        current = [0]  # the slice number, so every report id is new

        def api(connection: http.client.HTTPConnection, k: int, i: int) -> bool:
            b, a = api_templates[(k * 7919 + i) % len(api_templates)]
            body = f"{b}{run}-api-{k}-{i}-{current[0]}{a}".encode()
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
            connection.request("POST", REPORTS, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status < 400

        def mastodon(connection: http.client.HTTPConnection, k: int, i: int) -> bool:
            body = f"{before}{run}-m-{k}-{i}-{current[0]}{after}".encode()
            connection.request("POST", path, body=body, headers=signed(secret, body))
            response = connection.getresponse()
            response.read()
            return response.status < 400

        per_slice = args.seconds / args.rounds
        rates: dict[str, list[float]] = {"api": [], "mastodon": []}
        latencies: dict[str, list[tuple[float, float]]] = {"api": [], "mastodon": []}
        errors = {"api": 0, "mastodon": 0}
        for n in range(-1, args.rounds):  # round -1 warms up (a new id space: -1)
            for name, send in (("api", api), ("mastodon", mastodon)):
                current[0] = n
                requests, elapsed, p50, p99, failed = threaded_load(port, per_slice, args.concurrency, send)
                if n < 0:
                    continue
                rates[name].append(requests / elapsed)
                latencies[name].append((p50, p99))
                errors[name] += failed
    print(
        f"server: relais serve --workers {args.workers}; load: {args.concurrency} Python threads; "
        f"{args.rounds} x {per_slice:g} s per endpoint" + ("; help messages queued" if args.send_help else "")
    )
    print(f"{'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, label in (("api", "POST /api/v1/reports"), ("mastodon", "POST /integrations/mastodon/<id>")):
        p50 = statistics.median(p for p, _ in latencies[name])
        p99 = max(p for _, p in latencies[name])
        print(f"{label:<34} {statistics.median(rates[name]):>8,.0f} {p50:>8.2f} {p99:>8.2f} {errors[name]:>7}")
    ratio = statistics.median(m / a for m, a in zip(rates["mastodon"], rates["api"], strict=True))
    print(
        f"ratio adapter/API: {ratio:.3f} median of the rounds ({'meets' if ratio >= 0.8 else 'misses'} the goal >= 0.8)"
    )
    if any(errors.values()):
        print("WARNING: some requests failed: the figures above are not valid")


if __name__ == "__main__":
    main()
