"""Report intake: `POST /api/v1/reports` per second on PostgreSQL, as a ratio to the no-op `/api/v1/health`.

    .venv/bin/python bench/intake.py [--seconds 10] [--workers 2] [--concurrency 8]
        [--database-url postgres://postgres@127.0.0.1:5432/helper_bench] [--idempotency-key] [--webhook]
        [--load auto|wrk|python]

Creates the database if it is missing (psql), starts the real server (`relais migrate`, then `relais serve`:
gunicorn sync workers) on a free 127.0.0.1 port, creates a platform with `relais platform add`, checks that a
report is answered 201 with its help card, warms up, then loads `/api/v1/health` and `/api/v1/reports`
alternately (`--rounds` slices each, same concurrency). Every report is new: its `platform_report_id` is
unique per run, slice, wrk thread and request, over a seeded mix of reporters (countries, languages, ages,
harms) so the help cards vary as in real traffic. At the end it counts the reports the database holds for
the platform against the 2xx answers the load generator saw (no report lost, none duplicated), and prints
req/s, latency percentiles, errors, the server's CPU per request and the ratio reports/health (goals: >= 0.5,
and >= 500 reports/s on 2 cores).

Shares its server and load code with bench/http_help.py. Rate limits stay on, far above the load.
`--webhook` subscribes the platform to `report.created` first (each report then writes its delivery too).
The ratio's ceiling on a given machine: see docs/benchmarks.md §3 (`bench/intake_pgbench.py` runs the
report's own statements through pgbench, with no Python at all).
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import IO, Any

import orjson
from http_help import (
    HEALTH,
    HOST,
    ROOT,
    Slice,
    Summary,
    add_load_arguments,
    children_cpu_seconds,
    free_port,
    lua_script,
    machine_busy_seconds,
    process_cpu_seconds,
    python_slice,
    relais_command,
    running_server,
    server_env,
    threaded_load,
    wrk_slice,
)

from relais.directory.schema import CATEGORIES

REPORTS = "/api/v1/reports"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/helper_bench"
REPORTERS = (
    ("FR", "fr", "Europe/Paris"),
    ("FR", "fr", None),
    ("BE", "fr-BE", None),
    ("DE", "de", None),
    ("GB", "en-GB", None),
    ("US", "en", "America/New_York"),
    ("ES", "es", None),
    ("IT", "it", None),
    ("JP", "ja", None),
)
ID = "@@ID@@"


def report_templates(count: int, seed: int) -> list[tuple[str, str]]:
    """Report bodies split around their `platform_report_id`: (before, after)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    templates = []
    for i in range(count):
        country, language, zone = rng.choice(REPORTERS)
        reporter: dict[str, Any] = {"country": country, "language": language, "pseudonym": f"u-{i:04x}"}
        if rng.random() < 0.8:
            reporter["age"] = rng.choice((11, 13, 14, 15, 16, 17, 19, 24, 35))
        if zone:
            reporter["timezone"] = zone
        body = {
            "platform_report_id": ID,
            "category": rng.choice(CATEGORIES),
            "danger": "immediate" if rng.random() < 0.1 else "none",
            "reporter": reporter,
            "content": [
                {"kind": "message", "content_id": f"m-{i}", "text": "t'es nul, personne ne t'aime " * 3},
                {"kind": "profile", "url": f"https://social.example/@bully{i}"},
            ],
            "description": "Ça dure depuis la rentrée, tous les soirs.",
            "reported_at": "2026-11-25T22:58:00+01:00",
        }
        before, after = orjson.dumps(body).decode().split(ID)
        templates.append((before, after))
    return templates


REPORTS_LUA = """
local befores = {%(befores)s}
local afters = {%(afters)s}
local n = #befores
local run = "%(run)s"
local idempotent = %(idempotent)s
local counter = 0
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created)
end
function request()
  counter = counter + 1
  local k = (counter %% n) + 1
  local id = run .. "-" .. tostring(tid) .. "-" .. counter
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(key)s"}
  if idempotent then headers["Idempotency-Key"] = id end
  return wrk.format("POST", "%(path)s", headers, befores[k] .. id .. afters[k])
end
function done(summary, latency, requests)
  io.write(string.format("RELAIS %%d %%d %%.3f %%.3f %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def lua_quoted(values: list[str]) -> str:
    return ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)


def reports_script(templates: list[tuple[str, str]], key: str, run: str, idempotent: bool, folder: Path) -> Path:
    script = folder / f"reports-{run}.lua"
    script.write_text(
        REPORTS_LUA
        % {
            "befores": lua_quoted([b for b, _ in templates]),
            "afters": lua_quoted([a for _, a in templates]),
            "run": run,
            "key": key,
            "path": REPORTS,
            "idempotent": "true" if idempotent else "false",
        }
    )
    return script


def python_reports_slice(
    port: int, templates: list[tuple[str, str]], key: str, run: str, idempotent: bool, seconds: float, concurrency: int
) -> tuple[int, float, float, float, int]:
    """One unique report per request, through http_help's threaded fallback load."""

    def send(connection: http.client.HTTPConnection, k: int, i: int) -> bool:
        before, after = templates[(k * 7919 + i) % len(templates)]
        ident = f"{run}-{k}-{i}"
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        if idempotent:
            headers["Idempotency-Key"] = ident
        connection.request("POST", REPORTS, body=f"{before}{ident}{after}".encode(), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status < 400

    return threaded_load(port, seconds, concurrency, send)


# --- the database -----------------------------------------------------------------------------------------


def client_args(database_url: str) -> tuple[list[str], dict[str, str]]:
    """The -h/-p/-U options and the environment (PGPASSWORD) of PostgreSQL's client programs for the URL."""
    url = urllib.parse.urlsplit(database_url)
    options = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return options, {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}


def psql(database_url: str, sql: str, database: str | None = None) -> str:
    options, env = client_args(database_url)
    command = ["psql", *options, "-d", database or urllib.parse.urlsplit(database_url).path.lstrip("/"), "-tAc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout.strip()


def ensure_database(database_url: str) -> None:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    exists = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 - name checked just above
    if psql(database_url, exists, database="postgres") != "1":
        psql(database_url, f'CREATE DATABASE "{name}"', database="postgres")
        print(f"created database {name}")


def add_platform(database_url: str, name: str, log: IO[str]) -> tuple[str, str]:
    """`relais platform add`: returns (slug, key)."""
    out = subprocess.run(
        [*relais_command(), "platform", "add", name, "--slug", name.lower()],
        env=server_env(database_url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    log.write(out)
    return name.lower(), out.strip().splitlines()[-1]


def post_one(port: int, key: str, body: bytes) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        connection.request("POST", REPORTS, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, orjson.loads(response.read())
    finally:
        connection.close()


def subscribe(port: int, key: str) -> None:
    """A report.created endpoint: each report then also writes its delivery and, after the commit, queues the
    task that sends it (django-tasks-db: one more INSERT, committed on its own). Nothing listens there and no
    worker runs, so the deliveries just wait."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        body = orjson.dumps({"url": "http://127.0.0.1:9/hooks", "event_types": ["report.created"]})
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        connection.request("POST", "/api/v1/webhooks/endpoints", body=body, headers=headers)
        response = connection.getresponse()
        if response.status != 201:
            raise SystemExit(f"registering a webhook endpoint was answered {response.status}: {response.read()!r}")
        response.read()
    finally:
        connection.close()


# --- the benchmark ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--templates", type=int, default=200, help="distinct reporters/harms in the mix (200)")
    parser.add_argument("--idempotency-key", action="store_true", help="send a fresh Idempotency-Key per report")
    parser.add_argument(
        "--webhook", action="store_true", help="the platform subscribes an endpoint to report.created (none runs)"
    )
    args = parser.parse_args()

    if urllib.parse.urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("this benchmark is for PostgreSQL: --database-url postgres://…")
    wrk = shutil.which("wrk") if args.load in ("auto", "wrk") else None
    if args.load == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --load python")
    ensure_database(args.database_url)
    port = args.port or free_port()
    templates = report_templates(args.templates, args.seed)
    generator = f"wrk ({args.threads} thread)" if wrk else "Python http.client threads (competes for the CPU)"
    database = urllib.parse.urlsplit(args.database_url)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; server: relais serve --workers {args.workers} "
        f"on {HOST}:{port}, database {database.scheme}://{database.hostname}:{database.port}{database.path} "
        f"({psql(args.database_url, 'SHOW server_version')})"
    )
    print(
        f"load: {generator}, {args.concurrency} connections, {args.rounds} x {args.seconds / args.rounds:g} s per "
        f"endpoint; reports over {len(templates)} reporters/harms, every platform_report_id new"
        + ("; each with an Idempotency-Key" if args.idempotency_key else "")
        + ("; the platform has a report.created webhook (queued: no worker runs)" if args.webhook else "")
    )
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp:
        folder = Path(tmp)
        log_path = args.log or folder / "server.log"
        with open(log_path, "w") as log:
            try:
                summaries, stored, answered = measure(args, wrk, port, templates, folder, log)
            except BaseException:
                kept = Path(tempfile.gettempdir()) / "relais-bench-intake-server.log"
                if log_path != args.log:
                    log.flush()
                    shutil.copy(log_path, kept)
                    print(f"server log: {kept}", file=sys.stderr)
                raise
    report(summaries, stored, answered, slack=args.concurrency * (args.rounds + 1))


def report(summaries: dict[str, Summary], stored: int, answered: int, slack: int) -> None:
    print(f"\n{'endpoint':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server CPU µs/req':>18} {'errors':>7}")
    for summary in summaries.values():
        p50, p99 = summary.p50_ms(), summary.p99_ms()
        print(
            f"{summary.endpoint:<16} {summary.per_second:>9,.0f} {'-' if p50 is None else f'{p50:.2f}':>8} "
            f"{'-' if p99 is None else f'{p99:.2f}':>8} {summary.cpu_micros:>18,.0f} {summary.errors:>7}"
        )
    pairs = [
        r.per_second / h.per_second for r, h in zip(summaries[REPORTS].slices, summaries[HEALTH].slices, strict=True)
    ]
    paired = statistics.median(pairs)
    reports_per_second = summaries[REPORTS].per_second
    verdict = "meets" if paired >= 0.5 else "misses"
    print(
        f"ratio reports/health: {paired:.3f} median of the {len(pairs)} rounds ({verdict} the goal >= 0.5); "
        f"{reports_per_second / summaries[HEALTH].per_second:.3f} over all requests"
    )
    print(
        f"reports/s: {reports_per_second:,.0f} ({'meets' if reports_per_second >= 500 else 'misses'} the goal "
        f">= 500 on 2 cores)"
    )
    # wrk stops counting at the deadline: the few requests in flight then are stored but not counted.
    extra = stored - answered
    verdict = "none lost, none duplicated" if 0 <= extra <= slack else "WARNING: reports lost or duplicated"
    print(f"stored: {stored:,} reports for {answered:,} answered 2xx (+{extra} in flight at slice ends): {verdict}")
    print("p50: median of the slices; p99: the worst slice; 'other load': CPUs busy with other processes (noise)")
    if summaries[HEALTH].errors or summaries[REPORTS].errors:
        print("WARNING: some requests failed (non-2xx or socket errors): the figures above are not valid")


def measure(
    args: argparse.Namespace,
    wrk: str | None,
    port: int,
    templates: list[tuple[str, str]],
    folder: Path,
    log: IO[str],
) -> tuple[dict[str, Summary], int, int]:
    health_script = lua_script([HEALTH], folder, "health")
    summaries = {endpoint: Summary(endpoint) for endpoint in (HEALTH, REPORTS)}
    answered = 0
    with running_server(port, args.workers, args.database_url, log) as server:
        slug, key = add_platform(args.database_url, f"bench-{uuid.uuid4().hex[:10]}", log)
        if args.webhook:
            subscribe(port, key)
        before, after = templates[0]
        status, data = post_one(port, key, f"{before}check-{uuid.uuid4().hex}{after}".encode())
        if status != 201 or not data.get("help", {}).get("helplines"):
            raise SystemExit(f"a report was answered {status}: {data}")
        answered += 1
        print(f"server up (pid {server.pid}); platform {slug}; a report answers 201 with its card; warming up")

        def load(endpoint: str, seconds: float) -> tuple[int, float, float, float, int]:
            run = uuid.uuid4().hex[:12]
            if endpoint == HEALTH:
                if wrk:
                    return wrk_slice(wrk, port, health_script, seconds, args.concurrency, args.threads)
                return python_slice(port, [HEALTH], seconds, args.concurrency)
            if wrk:
                script = reports_script(templates, key, run, args.idempotency_key, folder)
                return wrk_slice(wrk, port, script, seconds, args.concurrency, args.threads)
            return python_reports_slice(port, templates, key, run, args.idempotency_key, seconds, args.concurrency)

        for endpoint in (HEALTH, REPORTS):
            requests, _, _, _, errors = load(endpoint, args.warmup)
            if endpoint == REPORTS:
                answered += requests - errors
        slice_seconds = args.seconds / args.rounds
        for round_ in range(args.rounds):
            order = (HEALTH, REPORTS) if round_ % 2 == 0 else (REPORTS, HEALTH)
            for endpoint in order:
                server_before, load_before = process_cpu_seconds(server.pid), children_cpu_seconds()
                busy_before, wall_before = machine_busy_seconds(), time.monotonic()
                requests, seconds, p50, p99, errors = load(endpoint, slice_seconds)
                server_cpu = process_cpu_seconds(server.pid) - server_before
                generator = children_cpu_seconds() - load_before if wrk else 0.0
                busy = machine_busy_seconds() - busy_before
                others = max(0.0, busy - server_cpu - generator) / (time.monotonic() - wall_before)
                piece = Slice(endpoint, requests, seconds, p50, p99, errors, server_cpu, others)
                summaries[endpoint].slices.append(piece)
                if endpoint == REPORTS:
                    answered += requests - errors
                if server.poll() is not None or requests == 0:
                    raise SystemExit(f"the server stopped answering (exit code {server.returncode}); see its log")
                print(
                    f"  round {round_ + 1} {endpoint:<15} {piece.per_second:>8,.0f} req/s  p50 {p50:6.2f} ms  "
                    f"p99 {p99:6.2f} ms  server CPU {piece.cpu_micros:5,.0f} µs/req  errors {errors}  "
                    f"other load {others:.2f} CPU",
                    flush=True,
                )
    stored = int(
        psql(
            args.database_url,
            "SELECT count(*) FROM reports_report r JOIN tenants_platform p ON p.id = r.platform_id "  # noqa: S608
            f"WHERE p.slug = '{slug}'",  # our own generated slug
        )
    )
    return summaries, stored, answered


if __name__ == "__main__":
    main()
