"""The reporter's page (`GET /r/<token>`) per second, as a ratio to the no-op `/api/v1/health` on the same server.

    .venv/bin/python bench/reporter_page.py [--seconds 10] [--workers 2] [--concurrency 8] [--reports 200]
        [--shared 0.3] [--memo 512] [--database-url postgres://postgres@127.0.0.1:5432/reporter_bench]
        [--load auto|wrk|python]

Starts the real server (`relais migrate`, `relais serve`: gunicorn sync workers) on a free 127.0.0.1 port with a
database of its own (created if missing), creates a platform and the 3018 as a helpline, sends `--reports`
reports through the API (a seeded mix of reporters and harms), shares `--shared` of them with the 3018 and
has the platform decide a third of the shared ones (so pages show a code, a timeline with a decision and an
appeal form), checks that every page answers 200, warms up, then loads `/api/v1/health` and the pages
alternately (`--rounds` slices each, same concurrency) and prints req/s, latency percentiles, the server's
CPU per request and the ratio pages/health (goal >= 0.5, issue 12). The page is computed when opened: the help
card now (from memory), the share state, the notices and decisions, rendered by Django's templates.

Each worker keeps rendered pages while nothing they show changes (relais/reporters/page_memo.py), so the same
200 pages loaded over and over are mostly served from it: that is a page opened again (a reload, the redirect
after a form, a messaging app's link preview). The warm-up is 10 s here (not 3): long enough for each of the
workers to render each of the pages once (200 pages x 2 workers x ~9 ms), so that the timed rounds measure pages
opened again, not a mix. `--memo 0` turns the memo off, so that every request renders the page as a reporter's
first opening does: run both and print both.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
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
    call,
    children_cpu_seconds,
    free_port,
    get,
    lua_script,
    machine_busy_seconds,
    process_cpu_seconds,
    python_slice,
    relais_command,
    running_server,
    server_env,
    wrk_slice,
)
from intake import REPORTERS, add_platform, ensure_database, post_one

from relais.directory.schema import CATEGORIES

PAGES = "/r/…"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/reporter_bench"
DECISION = {
    "moderator": "bench-mod",
    "outcome": "no_action",
    "facts": "The messages are a disagreement between classmates, with no insult.",
}


def add_helpline(database_url: str, log: IO[str]) -> None:
    out = subprocess.run(
        [*relais_command(), "helpline", "add", "3018 (e-Enfance)", "--directory-id", "fr-3018", "--slug", "bench-3018"],
        env=server_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    log.write(out.stdout + out.stderr)  # already there on a second run: fine


def make_reports(port: int, key: str, count: int, shared: float, seed: int, run: str) -> list[str]:
    """Reports through the API; returns their pages' paths."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    paths = []
    for i in range(count):
        country, language, zone = rng.choice(REPORTERS)
        reporter: dict[str, Any] = {"country": country, "language": language, "age": rng.choice((12, 14, 15, 17, 24))}
        if zone:
            reporter["timezone"] = zone
        body = {
            "platform_report_id": f"{run}-{i}",
            "category": rng.choice(CATEGORIES),
            "reporter": reporter,
            "content": [{"kind": "message", "content_id": f"m-{i}", "text": "t'es nul, personne ne t'aime"}],
        }
        status, answer = post_one(port, key, orjson.dumps(body))
        if status != 201:
            raise SystemExit(f"a report was answered {status}: {answer}")
        report_id, url = answer["id"], answer["reporter_url"]
        paths.append(urllib.parse.urlsplit(url).path)
        if rng.random() < shared:
            consent = {"given_at": "2026-11-25T21:59:30+01:00", "text_version": "bench-1", "scope": ["report"]}
            status, _ = call(
                port, "POST", f"/api/v1/reports/{report_id}/share", key, {"helpline_id": "fr-3018", "consent": consent}
            )
            if status not in (200, 201, 422):  # 422: the 3018 is not on this reporter's card
                raise SystemExit(f"a share was answered {status}")
            if rng.random() < 0.33:
                _, full = call(port, "GET", f"/api/v1/reports/{report_id}", key)
                notice = full["notices"][0]["id"]
                status, answer = call(port, "POST", f"/api/v1/moderation/notices/{notice}/decision", key, DECISION)
                if status != 201:
                    raise SystemExit(f"a decision was answered {status}: {answer}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--reports", type=int, default=200, help="distinct reports, hence pages (default 200)")
    parser.add_argument("--shared", type=float, default=0.3, help="share of them shared with the 3018 (default 0.3)")
    parser.add_argument(
        "--memo", type=int, default=512, help="rendered pages kept per worker (RELAIS_REPORTER_PAGE_MEMO; 0: off)"
    )
    parser.set_defaults(warmup=10.0)  # see the docstring: every worker renders every page once before timing
    args = parser.parse_args()
    os.environ["RELAIS_REPORTER_PAGE_MEMO"] = str(args.memo)  # the server's environment is copied from ours

    wrk = shutil.which("wrk") if args.load in ("auto", "wrk") else None
    if args.load == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --load python")
    if urllib.parse.urlsplit(args.database_url).scheme in ("postgres", "postgresql"):
        ensure_database(args.database_url)
    port = args.port or free_port()
    generator = f"wrk ({args.threads} thread)" if wrk else "Python http.client threads (competes for the CPU)"
    database = urllib.parse.urlsplit(args.database_url)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; server: relais serve --workers {args.workers} "
        f"on {HOST}:{port}, database {database.scheme}://{database.hostname}:{database.port}{database.path}"
    )
    print(
        f"load: {generator}, {args.concurrency} connections, {args.rounds} x {args.seconds / args.rounds:g} s per "
        f"endpoint; pages of {args.reports} reports, {args.shared:.0%} shared, a third of those decided; "
        f"{'no rendered page kept' if args.memo == 0 else f'up to {args.memo} rendered pages kept per worker'}"
    )
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp:
        folder = Path(tmp)
        with open(args.log or folder / "server.log", "w") as log:
            summaries = measure(args, wrk, port, folder, log)
    print(f"\n{'endpoint':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server CPU µs/req':>18} {'errors':>7}")
    for summary in summaries.values():
        p50, p99 = summary.p50_ms(), summary.p99_ms()
        print(
            f"{summary.endpoint:<16} {summary.per_second:>9,.0f} {'-' if p50 is None else f'{p50:.2f}':>8} "
            f"{'-' if p99 is None else f'{p99:.2f}':>8} {summary.cpu_micros:>18,.0f} {summary.errors:>7}"
        )
    pairs = [
        p.per_second / h.per_second for p, h in zip(summaries[PAGES].slices, summaries[HEALTH].slices, strict=True)
    ]
    paired = statistics.median(pairs)
    print(
        f"ratio page/health: {paired:.3f} median of the {len(pairs)} rounds "
        f"({'meets' if paired >= 0.5 else 'misses'} the goal >= 0.5)"
    )
    if summaries[HEALTH].errors or summaries[PAGES].errors:
        print("WARNING: some requests failed (non-2xx or socket errors): the figures above are not valid")


def measure(args: argparse.Namespace, wrk: str | None, port: int, folder: Path, log: IO[str]) -> dict[str, Summary]:
    env = server_env(args.database_url)
    subprocess.run([*relais_command(), "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    run = f"b{int(time.time())}"
    _, key = add_platform(args.database_url, f"Bench{run}", log)
    add_helpline(args.database_url, log)
    with running_server(port, args.workers, args.database_url, log) as server:
        paths = {HEALTH: [HEALTH], PAGES: make_reports(port, key, args.reports, args.shared, args.seed, run)}
        bad = [p for p in paths[PAGES] if get(port, p)[0] != 200]
        if bad:
            raise SystemExit(f"{len(bad)} pages did not answer 200")
        scripts = {
            HEALTH: lua_script(paths[HEALTH], folder, "health"),
            PAGES: lua_script(paths[PAGES], folder, "pages"),
        }

        def load(endpoint: str, seconds: float) -> tuple[int, float, float, float, int]:
            if wrk:
                return wrk_slice(wrk, port, scripts[endpoint], seconds, args.concurrency, args.threads)
            return python_slice(port, paths[endpoint], seconds, args.concurrency)

        print(f"server up (pid {server.pid}); {len(paths[PAGES])} pages answer 200; warming up", flush=True)
        for endpoint in (HEALTH, PAGES):
            load(endpoint, args.warmup)
        summaries = {endpoint: Summary(endpoint) for endpoint in (HEALTH, PAGES)}
        for round_ in range(args.rounds):
            for endpoint in (HEALTH, PAGES) if round_ % 2 == 0 else (PAGES, HEALTH):
                server_before, load_before = process_cpu_seconds(server.pid), children_cpu_seconds()
                busy_before, wall_before = machine_busy_seconds(), time.monotonic()
                requests, seconds, p50, p99, errors = load(endpoint, args.seconds / args.rounds)
                server_cpu = process_cpu_seconds(server.pid) - server_before
                generator = children_cpu_seconds() - load_before if wrk else 0.0
                others = max(0.0, machine_busy_seconds() - busy_before - server_cpu - generator) / (
                    time.monotonic() - wall_before
                )
                piece = Slice(endpoint, requests, seconds, p50, p99, errors, server_cpu, others)
                summaries[endpoint].slices.append(piece)
                print(
                    f"  round {round_ + 1} {endpoint:<15} {piece.per_second:>8,.0f} req/s  p50 {p50:6.2f} ms  "
                    f"p99 {p99:6.2f} ms  server CPU {piece.cpu_micros:5,.0f} µs/req  errors {errors}  "
                    f"other load {others:.2f} CPU",
                    flush=True,
                )
    return summaries


if __name__ == "__main__":
    main()
