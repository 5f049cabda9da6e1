"""`/api/v1/help` requests per second, as a ratio to the no-op `/api/v1/health` on the same server.

    .venv/bin/python bench/http_help.py [--seconds 10] [--workers 2] [--concurrency 8]
        [--database-url postgres://postgres@127.0.0.1:5432/test] [--load auto|wrk|python]

Starts the real server (`relais migrate`, then `relais serve`: gunicorn sync workers) on a free
127.0.0.1 port, waits until it answers, checks every query of the mix returns 200, warms both endpoints
up, then loads them alternately (`--rounds` slices each, same concurrency), stops the server and prints
req/s, latency percentiles, the server's CPU time per request, and the ratio help/health (goal >= 0.85).

Load comes from `wrk` when installed (`apt-get install -y wrk`), with a generated Lua script that walks
a seeded mix of /help query strings, else from Python threads with `http.client`; on a 2-core machine
either generator takes CPU from the server, the Python one far more.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from relais.directory.schema import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "relais" / "directory" / "data"
HOST = "127.0.0.1"
HEALTH = "/api/v1/health"
HELP = "/api/v1/help"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
LANGUAGES = ("fr", "en", "de", "es", "it", "nl", "fr-BE", "en-GB", "pt", "pl")
AGES = ("", "", "", "11", "13", "14", "15", "16", "17", "19", "24", "35")


def help_paths(count: int, seed: int) -> list[str]:
    """A seeded mix of /help query strings over every country file, plus one uncovered country."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    countries = [*sorted(p.stem.upper() for p in DATA_DIR.glob("*.yaml") if p.stem != "xx"), "JP"]
    paths = []
    for _ in range(count):
        query: dict[str, str] = {
            "country": rng.choice(countries),
            "language": rng.choice(LANGUAGES),
            "category": rng.choice(CATEGORIES),
        }
        age = rng.choice(AGES)
        if age:
            query["age"] = age
        if rng.random() < 0.1:
            query["danger"] = "immediate"
        if rng.random() < 0.2:
            query["presentation"] = "link"
        if rng.random() < 0.05:
            query["timezone"] = "Europe/Paris"
        paths.append(f"{HELP}?{urllib.parse.urlencode(query)}")
    return paths


@dataclass
class Slice:
    endpoint: str
    requests: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    server_cpu: float
    """CPU seconds the gunicorn master and workers used during the slice."""
    others: float
    """CPUs (of the machine's) busy with neither the server nor the load generator: noise."""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_micros(self) -> float:
        return self.server_cpu / max(self.requests, 1) * 1e6


@dataclass
class Summary:
    endpoint: str
    slices: list[Slice] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return sum(s.requests for s in self.slices) / sum(s.seconds for s in self.slices)

    @property
    def cpu_micros(self) -> float:
        return sum(s.server_cpu for s in self.slices) / max(sum(s.requests for s in self.slices), 1) * 1e6

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.slices)

    def p50_ms(self) -> float | None:
        values = [s.p50_ms for s in self.slices if s.p50_ms is not None]
        return statistics.median(values) if values else None

    def p99_ms(self) -> float | None:
        values = [s.p99_ms for s in self.slices if s.p99_ms is not None]
        return max(values) if values else None


# --- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("RELAIS_FAKE_NOW", None)  # the real clock: channel states as a real request would see them
    env.update({"DATABASE_URL": database_url, "DEBUG": "0", "RELAIS_LOG_LEVEL": "WARNING"})
    # The load comes from one address and one key: keep the rate limits counting (their cost is part of what
    # is measured) but far above what the load reaches.
    env.setdefault("RELAIS_HELP_RATE_LIMIT", "1000000/second")
    env.setdefault("RELAIS_RATE_LIMIT", "1000000/second")
    # gunicorn 23+ opens a control socket at one fixed path per user: keep ours off other servers' path.
    env["GUNICORN_CMD_ARGS"] = f"{env.get('GUNICORN_CMD_ARGS', '')} --no-control-socket".strip()
    return env


def relais_command() -> list[str]:
    script = Path(sys.executable).with_name("relais")
    return [str(script)] if script.exists() else [sys.executable, "-m", "relais.cli"]


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy since boot (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(root: int) -> float:
    """utime+stime of `root` and its children (gunicorn master and workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@contextmanager
def running_server(port: int, workers: int, database_url: str, log: IO[str]) -> Iterator[subprocess.Popen[bytes]]:
    """Migrate, start `relais serve`, wait for /health; stop it (SIGTERM, then SIGKILL) on the way out."""
    env = server_env(database_url)
    subprocess.run([*relais_command(), "migrate", "--noinput"], env=env, cwd=ROOT, check=True, stdout=log, stderr=log)
    command = [*relais_command(), "serve", "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
    try:
        wait_until_up(port, server)
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def call(port: int, method: str, path: str, key: str, body: Any = None, timeout: float = 10.0) -> tuple[int, Any]:
    """One API call with the platform's or helpline's key: (status, the JSON answer, or None when the answer is
    not JSON, e.g. an empty 204 or a proxy's error page)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        connection.request(method, path, body=None if body is None else orjson.dumps(body), headers=headers)
        response = connection.getresponse()
        raw = response.read()
        is_json = (response.getheader("Content-Type") or "").startswith("application/json")
        return response.status, orjson.loads(raw) if raw and is_json else None
    finally:
        connection.close()


def wait_until_up(port: int, server: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}; see its log")
        try:
            if get(port, HEALTH, timeout=2.0)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer {HEALTH} within {timeout:.0f} s")


# --- load generators ------------------------------------------------------------------------------------

LUA = """
local paths = {%(paths)s}
local n = #paths
local i = 0
function setup(thread)
  thread:set("first", math.random(n))
end
function init(args)
  i = first or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% n) + 1])
end
function done(summary, latency, requests)
  io.write(string.format("RELAIS %%d %%d %%.3f %%.3f %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


def lua_script(paths: list[str], folder: Path, name: str) -> Path:
    quoted = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script = folder / f"{name}.lua"
    script.write_text(LUA % {"paths": quoted})
    return script


def wrk_slice(
    wrk: str, port: int, script: Path, seconds: float, concurrency: int, threads: int
) -> tuple[int, float, float, float, int]:
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={concurrency}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={script}",
        f"http://{HOST}:{port}/",
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("RELAIS ")), None)
    if line is None:
        raise SystemExit(f"unexpected wrk output:\n{output}")
    requests, micros, p50, p99, errors = line.split()[1:]
    return int(requests), int(micros) / 1e6, float(p50), float(p99), int(errors)


def threaded_load(
    port: int, seconds: float, concurrency: int, send: Callable[[http.client.HTTPConnection, int, int], bool]
) -> tuple[int, float, float, float, int]:
    """Threads with http.client, each calling `send(connection, thread, n)` (True: a good answer) until the
    time is up; sync workers close each connection, so each request reconnects. Returns (requests, elapsed,
    p50 ms, p99 ms, errors). A fallback when wrk is missing: it competes with the server for the CPU."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    start = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def worker(k: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        mine, i = latencies[k], 0
        start.wait()
        while (began := time.perf_counter()) < deadline:
            try:
                if not send(connection, k, i):
                    errors[k] += 1
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                connection.close()
            mine.append(time.perf_counter() - began)
            i += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    every = sorted(x for mine in latencies for x in mine)
    if not every:
        return 0, elapsed, 0.0, 0.0, sum(errors)
    p50 = every[len(every) // 2] * 1000
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))] * 1000
    return len(every), elapsed, p50, p99, sum(errors)


def python_slice(port: int, paths: list[str], seconds: float, concurrency: int) -> tuple[int, float, float, float, int]:
    def send(connection: http.client.HTTPConnection, k: int, i: int) -> bool:
        connection.request("GET", paths[(k * 7919 + i) % len(paths)])
        response = connection.getresponse()
        response.read()
        return response.status == 200

    return threaded_load(port, seconds, concurrency, send)


# --- the benchmark --------------------------------------------------------------------------------------


def add_load_arguments(parser: argparse.ArgumentParser, database_url: str) -> None:
    """The server and load options both HTTP benchmarks take (this one and bench/intake.py)."""
    parser.add_argument("--seconds", type=float, default=10.0, help="load per endpoint, in total (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating slices per endpoint (default 5)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of untimed load per endpoint (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections in flight (default 8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the CPUs to the server)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", database_url))
    parser.add_argument("--port", type=int, default=0, help="127.0.0.1 port for the server (default: a free one)")
    parser.add_argument("--load", choices=("auto", "wrk", "python"), default="auto", help="load generator")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--log", type=Path, help="server log file (default: a temporary file, kept on failure)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_load_arguments(parser, DEFAULT_DATABASE_URL)
    parser.add_argument("--paths", type=int, default=2000, help="distinct /help query strings (default 2000)")
    args = parser.parse_args()

    wrk = shutil.which("wrk") if args.load in ("auto", "wrk") else None
    if args.load == "wrk" and wrk is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --load python")
    generator = f"wrk ({args.threads} thread)" if wrk else "Python http.client threads (competes for the CPU)"
    port = args.port or free_port()
    paths = {HEALTH: [HEALTH], HELP: help_paths(args.paths, args.seed)}
    database = urllib.parse.urlsplit(args.database_url)
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; server: relais serve --workers {args.workers} "
        f"on {HOST}:{port}, database {database.scheme}://{database.hostname}:{database.port}{database.path}"
    )
    print(
        f"load: {generator}, {args.concurrency} connections, {args.rounds} x {args.seconds / args.rounds:g} s "
        f"per endpoint; /help over {len(paths[HELP])} query strings"
    )

    with tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp:
        folder = Path(tmp)
        log_path = args.log or folder / "server.log"
        with open(log_path, "w") as log:
            try:
                summaries = measure(args, wrk, port, paths, folder, log)
            except BaseException:
                kept = Path(tempfile.gettempdir()) / "relais-bench-server.log"
                if log_path != args.log:
                    log.flush()
                    shutil.copy(log_path, kept)
                    print(f"server log: {kept}", file=sys.stderr)
                raise

    print(f"\n{'endpoint':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server CPU µs/req':>18} {'errors':>7}")
    for summary in summaries.values():
        p50, p99 = summary.p50_ms(), summary.p99_ms()
        print(
            f"{summary.endpoint:<16} {summary.per_second:>9,.0f} {'-' if p50 is None else f'{p50:.2f}':>8} "
            f"{'-' if p99 is None else f'{p99:.2f}':>8} {summary.cpu_micros:>18,.0f} {summary.errors:>7}"
        )
    ratio = summaries[HELP].per_second / summaries[HEALTH].per_second
    pairs = [h.per_second / b.per_second for h, b in zip(summaries[HELP].slices, summaries[HEALTH].slices, strict=True)]
    paired = statistics.median(pairs)
    verdict = "meets" if paired >= 0.85 else "misses"
    cpu_ratio = summaries[HEALTH].cpu_micros / max(summaries[HELP].cpu_micros, 1e-9)
    print(
        f"ratio help/health: {paired:.3f} median of the {len(pairs)} rounds ({verdict} the goal >= 0.85); "
        f"{ratio:.3f} over all requests"
    )
    print("p50: median of the slices; p99: the worst slice; 'other load': CPUs busy with other processes (noise)")
    if summaries[HEALTH].errors or summaries[HELP].errors:
        print("WARNING: some requests failed (non-2xx or socket errors): the figures above are not valid")
    print(f"server CPU ratio (health µs/req / help µs/req): {cpu_ratio:.3f}, the req/s ratio of a CPU-bound server")


def measure(
    args: argparse.Namespace, wrk: str | None, port: int, paths: dict[str, list[str]], folder: Path, log: IO[str]
) -> dict[str, Summary]:
    scripts = {
        HEALTH: lua_script(paths[HEALTH], folder, "health"),
        HELP: lua_script(paths[HELP], folder, "help"),
    }

    def load(endpoint: str, seconds: float) -> tuple[int, float, float, float, int]:
        if wrk:
            return wrk_slice(wrk, port, scripts[endpoint], seconds, args.concurrency, args.threads)
        return python_slice(port, paths[endpoint], seconds, args.concurrency)

    summaries = {endpoint: Summary(endpoint) for endpoint in (HEALTH, HELP)}
    with running_server(port, args.workers, args.database_url, log) as server:
        server_pid = server.pid
        bad = [p for p in paths[HELP] if get(port, p)[0] != 200]
        if bad:
            raise SystemExit(f"{len(bad)} /help queries did not answer 200, e.g. {bad[0]}")
        print(f"server up (pid {server_pid}); every /help query answers 200; warming up", flush=True)
        for endpoint in (HEALTH, HELP):
            load(endpoint, args.warmup)
        slice_seconds = args.seconds / args.rounds
        for round_ in range(args.rounds):
            order = (HEALTH, HELP) if round_ % 2 == 0 else (HELP, HEALTH)
            for endpoint in order:
                server_before, load_before = process_cpu_seconds(server_pid), children_cpu_seconds()
                busy_before, wall_before = machine_busy_seconds(), time.monotonic()
                requests, seconds, p50, p99, errors = load(endpoint, slice_seconds)
                server_cpu = process_cpu_seconds(server_pid) - server_before
                generator = children_cpu_seconds() - load_before if wrk else 0.0
                busy = machine_busy_seconds() - busy_before
                others = max(0.0, busy - server_cpu - generator) / (time.monotonic() - wall_before)
                piece = Slice(endpoint, requests, seconds, p50, p99, errors, server_cpu, others)
                summaries[endpoint].slices.append(piece)
                if server.poll() is not None or requests == 0:
                    raise SystemExit(f"the server stopped answering (exit code {server.returncode}); see its log")
                print(
                    f"  round {round_ + 1} {endpoint:<15} {piece.per_second:>8,.0f} req/s  p50 {p50:6.2f} ms  "
                    f"p99 {p99:6.2f} ms  server CPU {piece.cpu_micros:5,.0f} µs/req  errors {errors}  "
                    f"other load {others:.2f} CPU",
                    flush=True,
                )
    return summaries


if __name__ == "__main__":
    main()
