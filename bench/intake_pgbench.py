"""The ceiling of report intake on this machine: a report's own SQL through pgbench, with no Python at all.

    .venv/bin/python bench/intake_pgbench.py [--clients 8] [--seconds 8] [--runs 3] [--protocol prepared|simple]
        [--database-url postgres://postgres@127.0.0.1:5432/helper_bench]

Migrates the database, sends one real report through the WSGI application in this process and records the
statements it ran (the connection health check and, on PostgreSQL, the one `WITH … INSERT` statement of
reports/postgresql.py; through the ORM it was BEGIN, the INSERTs and SELECTs, COMMIT), then replays that
transaction with pgbench (`-M prepared` by default, as Relais runs on PostgreSQL; `simple` as it ran with
RELAIS_DB_PREPARED_STATEMENTS=0), each time with a new report id and
`platform_report_id`, at the concurrency bench/intake.py uses. It prints transactions per second, the CPU
PostgreSQL spent per transaction (the machine's busy time less pgbench's own) and the same for a bare
`SELECT 1`, for comparison with bench/intake.py's reports/s and `/api/v1/health` req/s: `/health` does not
touch the database, so reports/health can never exceed (pgbench tps / health req/s) here, whatever the Python
side costs.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable
from pathlib import Path

from http_help import ROOT, machine_busy_seconds, relais_command, server_env
from intake import DEFAULT_DATABASE_URL, REPORTS, client_args, ensure_database, report_templates

MARKER = "pgbench-marker-0000"
HEX_UUID = re.compile(r"[0-9a-f]{32}")
DASHED_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LITERAL = re.compile(r"E?'(?:[^'\\]|''|\\.)*'")  # E'…' when psycopg escapes a backslash


def one_report_statements(database_url: str) -> list[str]:
    """The SQL of one new report, as the server sends it (psycopg's client-side binding: literals inline)."""
    os.environ.update(server_env(database_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "relais.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relais.wsgi import application

    out = io.StringIO()
    slug = f"pgbench-{uuid.uuid4().hex[:10]}"
    call_command("platform", "add", slug, "--slug", slug, stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    before, after = report_templates(1, 2025)[0]

    def post(platform_report_id: str) -> str:
        body = f"{before}{platform_report_id}{after}".encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": REPORTS,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {key}",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
        }
        statuses: list[str] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            statuses.append(status)
            return lambda data: None

        answer = application(environ, start_response)
        b"".join(answer)
        answer.close()  # ends the request (the signals reset the connection's health check), as gunicorn does
        return statuses[0]

    post(f"warm-{uuid.uuid4().hex}")  # the API key memo, the directory, the connection
    with CaptureQueriesContext(connection) as captured:
        status = post(MARKER)
    if not status.startswith("201"):
        raise SystemExit(f"the report was answered {status}")
    statements = [q["sql"] for q in captured.captured_queries]
    if not any(s.startswith(("INSERT", "WITH")) for s in statements):
        raise SystemExit(f"not a report's transaction: {statements}")
    # Recorded: the report's statement(s); not the health check run when a request first uses the connection.
    return ["SELECT 1", *statements] if connection.settings_dict.get("CONN_HEALTH_CHECKS") else statements


def pgbench_script(statements: list[str]) -> str:
    """Each uuid of the report becomes `:r + k` (hex), the marker id a new `platform_report_id`; literals are
    cut around them (and around any `:name`, which pgbench would read as one of its variables)."""
    ids: dict[str, int] = {}

    def piece(literal: str) -> str:
        prefix = "E" if literal.startswith("E") else ""
        text = literal[len(prefix) + 1 : -1]
        parts: list[str] = []
        last = 0
        pattern = f"{DASHED_UUID.pattern}|{HEX_UUID.pattern}|{re.escape(MARKER)}|:(?=[A-Za-z_])"
        for match in re.finditer(pattern, text):
            parts.append(f"{prefix}'" + text[last : match.start()] + "'")
            if match.group() == ":":  # pgbench would take `:name` inside a literal for a variable
                parts.append("':'")
            elif match.group() == MARKER:
                parts.append("'pgb-' || :client_id::text || '-' || :r::text")
            else:  # the same uuid, dashed (in JSON) or not, is the same new id
                k = ids.setdefault(match.group().replace("-", ""), len(ids))
                hexed = f"lpad(to_hex(:r::bigint + {k}), 32, '0')"
                parts.append(f"({hexed})::uuid::text" if "-" in match.group() else hexed)
            last = match.end()
        if not parts:
            return literal
        parts.append(f"{prefix}'" + text[last:] + "'")
        return "(" + " || ".join(parts) + ")"

    lines = ["\\set r random(1, 1000000000000000000)"]
    for statement in statements:
        lines.append(LITERAL.sub(lambda m: piece(m.group()), " ".join(statement.split())) + ";")
    return "\n".join(lines) + "\n"


def pgbench(database_url: str, script: Path, clients: int, seconds: float, protocol: str) -> tuple[float, float, float]:
    """(tps, PostgreSQL CPU µs per transaction, pgbench CPU µs per transaction)."""
    options, env = client_args(database_url)
    database = urllib.parse.urlsplit(database_url).path.lstrip("/")
    command = ["pgbench", *options, "-n", "-M", protocol, "-c", str(clients), "-j", "1", "-T", str(int(seconds))]
    command += ["-f", str(script), database]
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = machine_busy_seconds()
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{result.stderr[-2000:]}")
    out = result.stdout
    time.sleep(0.3)  # let the backends exit and be counted
    busy = machine_busy_seconds() - busy_before
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime
    tps = float(re.search(r"tps = ([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    transactions = int(re.search(r"actually processed: (\d+)", out).group(1))  # type: ignore[union-attr]
    return tps, max(0.0, busy - own) / transactions * 1e6, own / transactions * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--clients", type=int, default=8, help="pgbench clients (default 8, as bench/intake.py)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per run (default 8)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each script, alternating (default 3)")
    parser.add_argument(
        "--protocol",
        choices=("simple", "prepared"),
        default="prepared",
        help="pgbench -M: prepared (default) as relais runs on PostgreSQL (RELAIS_DB_PREPARED_STATEMENTS), or simple",
    )
    args = parser.parse_args()
    if shutil.which("pgbench") is None:
        raise SystemExit("pgbench is not installed (it comes with PostgreSQL: apt-get install -y postgresql-contrib)")
    if urllib.parse.urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("this benchmark is for PostgreSQL: --database-url postgres://…")
    ensure_database(args.database_url)
    subprocess.run(
        [*relais_command(), "migrate", "--noinput", "-v0"],
        env=server_env(args.database_url),
        cwd=ROOT,
        check=True,
    )
    statements = one_report_statements(args.database_url)
    print(f"{os.cpu_count()} CPUs; one report is {len(statements)} statements:")
    for statement in statements:
        print(f"  {statement[:110]}{'…' if len(statement) > 110 else ''}")
    with tempfile.TemporaryDirectory(prefix="relais-pgbench-") as tmp:
        report = Path(tmp) / "report.sql"
        report.write_text(pgbench_script(statements))
        noop = Path(tmp) / "noop.sql"
        noop.write_text("SELECT 1;\n")
        results: dict[str, list[tuple[float, float, float]]] = {"report": [], "SELECT 1": []}
        for run in range(args.runs):
            for name, script in (("report", report), ("SELECT 1", noop)):
                tps, database, own = pgbench(args.database_url, script, args.clients, args.seconds, args.protocol)
                results[name].append((tps, database, own))
                print(
                    f"  run {run + 1} {name:<9} {tps:>9,.0f} tx/s  PostgreSQL {database:>6,.0f} µs CPU/tx  "
                    f"pgbench {own:>4,.0f} µs/tx",
                    flush=True,
                )
    print(f"\nmedians of {args.runs} runs, {args.clients} clients, -M {args.protocol}:")
    for name, rows in results.items():
        print(
            f"  {name:<9} {statistics.median(r[0] for r in rows):>9,.0f} tx/s, PostgreSQL "
            f"{statistics.median(r[1] for r in rows):,.0f} µs of CPU per transaction"
        )
    print("reports/health in bench/intake.py cannot exceed (report tx/s here) / (/api/v1/health req/s there).")


if __name__ == "__main__":
    main()
