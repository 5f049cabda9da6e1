"""The moderators' queue at 10,000, 100,000 and 1,000,000 undecided notices, on PostgreSQL, over HTTP.

    .venv/bin/python bench/moderation_queue.py [--sizes 10000,100000,1000000] [--requests 200] [--workers 2]
        [--database-url postgres://postgres@127.0.0.1:5432/queue_bench] [--keep] [--explain]

Creates its own database (refused if it exists; dropped at the end unless `--keep`), starts the real server
(`relais migrate`, then `relais serve`: gunicorn sync workers) on a free 127.0.0.1 port, creates two platforms,
a helpline and a moderator with the CLI, and sends one real report through `POST /api/v1/reports` (the
service writes it, its content and its Art. 16 notice). Then it grows the queue **in SQL** to each size in turn
(INSERT … SELECT over generate_series, 100,000 rows a statement): clones of that report, each with its Art. 16
notice, and one notice in twenty a helpline's escalation (mostly as a trusted flagger) about the previous
report; 2 % immediate danger, 40 % minors, every category, received over the last 14 days, 5,000 reporters of
whom 500 have a track record (3,000 decided notices, a tenth manifestly unfounded, a few warnings), a few
notices claimed, and a second platform with a tenth as many notices (noise the queue must skip). Each notice's
`queue_rank` comes from `priority.queue_rank`, evaluated here for every combination of the facts.

At each size, after ANALYZE and a warm-up, it times `--requests` sequential requests of each kind, one
connection each (gunicorn's sync workers close them), and prints p50/p99 and each worker's resident memory
(VmRSS) before and after:

| row | request |
| --- | --- |
| next item | `GET /api/v1/moderation/queue?limit=1` (the platform's key): goal p99 <= 20 ms at 1,000,000 |
| API page | `GET /api/v1/moderation/queue?limit=100&cursor=…` from the middle of the queue |
| console page | `GET /moderation/` signed in as the moderator (50 rows): goal p99 <= 100 ms at 1,000,000 |
| lead figures | `GET /moderation/figures/` signed in as the lead (ADR 0038): goal p99 <= 200 ms at 1,000,000 |
| funnel API | `GET /api/v1/moderation/figures/funnel` (the platform's key, 30 days): goal p99 <= 200 ms |
| supervisor figures | `GET /console/figures/` signed in as the helpline's supervisor: goal p99 <= 200 ms |
| appeals API | `GET /api/v1/moderation/appeals?limit=100` (the platform's key): the oldest 100 appeals |
| statements export | `GET /api/v1/moderation/statements?limit=100` (the platform's key): the export's first page |
| case queue | `GET /console/` signed in as the helpline's supervisor (50 rows, open cases first) |

| lead 90 d live | the lead's page over 90 days, counted from the notices (no roll-ups built) |
| lead 30/90 d rolled | the same over 30 and 90 days after `relais figures rebuild` (ADR 0040), whose time is printed |
| supervisor 30/90 d | the supervisor's page over 30 and 90 days |

For the dashboards, each size also gets as many **decided** notices (received over the last 60 days, decided
1 to 72 hours later: half of them in the dashboards' default 30 days), 300 appeals, and 2,000 reach counts
(8 weeks x 5 countries x 10 helplines x 5 steps); the sizes above still count undecided notices only.

For the last three rows (`lists_sql`), each size also gets a tenth as many appeals (99 % decided), as many
decisions with a statement of reasons (restrictions, decided over the last 60 days, none of them counted by the
dashboards: their notices were received 200 days ago), and a tenth as many helpline cases (each on a cloned
report, with its consent; two in five closed).

`--explain` also prints PostgreSQL's plan for the console page's query. Every loop is bounded in count and
time (`--deadline` for the whole run); the server is stopped and the database dropped even on failure.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import orjson
from http_help import HOST, ROOT, free_port, process_cpu_seconds, relais_command, running_server, server_env
from intake import client_args, post_one, psql, report_templates

sys.path.insert(0, str(ROOT))
from relais.directory.schema import CATEGORIES
from relais.moderation import priority

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/queue_bench"
BATCH = 100_000
NEXT_ITEM = "/api/v1/moderation/queue?limit=1"
CONSOLE = "/moderation/"
LEAD_FIGURES = "/moderation/figures/"
FUNNEL = "/api/v1/moderation/figures/funnel"
SUPERVISOR_FIGURES = "/console/figures/"
APPEALS = "/api/v1/moderation/appeals?limit=100"
STATEMENTS = "/api/v1/moderation/statements?limit=100"
CASE_QUEUE = "/console/"
PASSWORD = "a long benchmark passphrase"  # noqa: S105 - a throwaway account in a throwaway database


# --- the database -----------------------------------------------------------------------------------------


def database_name(database_url: str) -> str:
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"unexpected database name {name!r}")
    return name


@contextmanager
def own_database(database_url: str, keep: bool) -> Iterator[None]:
    """A database made for this run, dropped afterwards (unless `keep`); an existing one is never touched."""
    name = database_name(database_url)
    exists = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 - name checked
    if psql(database_url, exists, database="postgres") == "1":
        raise SystemExit(f"database {name} exists: drop it or name another with --database-url")
    psql(database_url, f'CREATE DATABASE "{name}"', database="postgres")
    try:
        yield
    finally:
        if keep:
            print(f"kept database {name}")
        else:
            psql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', database="postgres")
            print(f"dropped database {name}")


def cli(database_url: str, log: IO[str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [*relais_command(), *args],
        env=server_env(database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )
    log.write(done.stdout + done.stderr)
    if done.returncode:
        raise SystemExit(f"relais {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def ranks_sql() -> str:
    """priority.queue_ranks (every trusted flagger, immediate danger, minor, category) as SQL VALUES."""
    rows = [f"({t}, {i}, {m}, '{c}', {rank})" for t, i, m, c, rank in priority.queue_ranks(CATEGORIES)]
    return "ranks(trusted, immediate, minor, category, rank) AS (VALUES " + ", ".join(rows) + ")"


def grow_sql(original: str, platform: int, helpline: int, lo: int, hi: int) -> str:
    """Notices lo..hi (one in twenty an escalation about the report before it; the others a cloned report
    and its Art. 16 notice), in one statement."""
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    return f"""
WITH {ranks_sql()},
g AS (
  SELECT i,
    ({categories})[1 + (i * 31) % {len(CATEGORIES)}] AS category,
    (i * 17) % 50 = 0 AS immediate,
    CASE WHEN (i * 13) % 10 < 4 THEN 12 + i % 6 WHEN (i * 13) % 10 < 8 THEN NULL ELSE 25 END AS age,
    now() - ((i::bigint * 7919) % 1209600) * interval '1 second' AS received_at,
    'u-' || ((i * 7919) % 5000) AS pseudonym
  FROM generate_series({lo}::bigint, {hi}::bigint) i  -- bigint: i * 7919 passes 2^31 at 271,000
),
r AS (
  INSERT INTO reports_report (id, platform_id, platform_report_id, category, danger, reporter_country,
    reporter_language, reporter_age, reporter_timezone, reporter_pseudonym, description, reported_at, received_at,
    help_card, legal_hold, legal_hold_reason, legal_hold_set_at, reporter_country_assumed, reporter_link_salt)
  SELECT gen_random_uuid(), o.platform_id, 'bench-' || g.i, g.category,
    CASE WHEN g.immediate THEN 'immediate' ELSE 'none' END, o.reporter_country, o.reporter_language, g.age,
    o.reporter_timezone, g.pseudonym, o.description, o.reported_at, g.received_at, o.help_card, false, '', NULL,
    o.reporter_country_assumed, ''
  FROM g CROSS JOIN reports_report o WHERE o.id = '{original}' AND g.i % 20 <> 0
  RETURNING id, platform_report_id, category, danger, reporter_age, reporter_pseudonym, received_at
),
n AS (
  SELECT r.id AS report_id, NULL::integer AS helpline_id, 'article_16' AS source,
    'reporter:' || r.reporter_pseudonym AS notifier, r.category, r.danger = 'immediate' AS immediate,
    r.reporter_age, '' AS ground_kind, '' AS ground, '' AS explanation, '[]'::jsonb AS positions, r.received_at
  FROM r
  UNION ALL
  SELECT r.id, {helpline}, CASE WHEN g.i % 100 = 0 THEN 'other_notification' ELSE 'trusted_flagger' END,
    'helpline:bench-3018', r.category, r.danger = 'immediate' OR g.i % 60 = 0, r.reporter_age, 'illegal',
    'Code pénal art. 222-33-2-2', repeat('Daily insults to a 14-year-old since September, from one account. ', 4),
    '[0]'::jsonb, least(r.received_at + interval '2 hours', now())
  FROM g JOIN r ON r.platform_report_id = 'bench-' || (g.i - 1) WHERE g.i % 20 = 0
)
INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
  danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
  acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
SELECT gen_random_uuid(), {platform}, n.report_id, NULL, n.helpline_id, n.source, n.notifier, n.category,
  n.immediate, n.reporter_age, n.ground_kind, n.ground, n.explanation, n.positions, n.received_at, n.received_at,
  CASE WHEN (hashtext(n.notifier) & 1023) = 0 THEN 'claimed' ELSE 'open' END, NULL,
  CASE WHEN (hashtext(n.notifier) & 1023) = 0 THEN 'mod-7 (API)' ELSE '' END,
  CASE WHEN (hashtext(n.notifier) & 1023) = 0 THEN now() ELSE NULL END, NULL, ranks.rank
FROM n JOIN ranks ON ranks.trusted = (n.source = 'trusted_flagger') AND ranks.immediate = n.immediate
  AND ranks.minor = coalesce(n.reporter_age < 18, false) AND ranks.category = n.category
"""  # noqa: S608 - every value is ours (ids read back from our own database, numbers)


def noise_sql(platform: int, lo: int, hi: int) -> str:
    return f"""
WITH {ranks_sql()}
INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
  danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
  acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
SELECT gen_random_uuid(), {platform}, NULL, NULL, NULL, 'article_16', 'reporter:n-' || (i % 900), 'harassment',
  i % 3 = 0, 15, '', '', '', '[]'::jsonb, now() - i * interval '1 second', now() - i * interval '1 second',
  'open', NULL, '', NULL, NULL, ranks.rank
FROM generate_series({lo}, {hi}) i JOIN ranks ON NOT ranks.trusted AND ranks.immediate = (i % 3 = 0)
  AND ranks.minor AND ranks.category = 'harassment'
"""  # noqa: S608 - numbers only


def records_sql(platform: int) -> str:
    """3,000 decided notices of 500 reporters in the misuse window, with their decisions; a few warned."""
    return f"""
WITH {ranks_sql()},
d AS (
  INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
    danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
    acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
  SELECT gen_random_uuid(), {platform}, NULL, NULL, NULL, 'article_16', 'reporter:u-' || (i % 500 * 10),
    'harassment', false, NULL, '', '', '', '[]'::jsonb, now() - interval '3 days', now() - interval '3 days',
    'decided', NULL, '', NULL, now() - interval '2 days', ranks.rank
  FROM generate_series(1, 3000) i JOIN ranks ON NOT ranks.trusted AND NOT ranks.immediate AND NOT ranks.minor
    AND ranks.category = 'harassment'
  RETURNING id, decided_at
)
INSERT INTO moderation_decision (id, puid, notice_id, platform_id, outcome, moderator_id, moderator_label,
  decided_at, manifestly_unfounded, summary, statement, informed_at, appeal_deadline, on_appeal_id,
  reversed_by_id, submitted_at, submission_attempts, submission_error, submission_due_at)
SELECT gen_random_uuid(), 'bench-' || d.id, d.id, {platform}, 'no_action', NULL, 'mod-7 (API)', d.decided_at,
  (hashtext(d.id::text) % 10) = 0, 'No action.', NULL, d.decided_at, d.decided_at + interval '6 months',
  NULL, NULL, NULL, 0, '', NULL
FROM d;
INSERT INTO moderation_notifierstanding (platform_id, notifier, warned_at, suspended_until, reason)
SELECT {platform}, 'reporter:u-' || (i * 10), now() - interval '1 day', NULL, 'benchmark'
FROM generate_series(0, 49) i;
"""  # noqa: S608 - numbers only


def decided_sql(platform: int, helpline: int, lo: int, hi: int) -> str:
    """Decided notices lo..hi for the dashboards: no report (retention has purged them, as it will), one in
    twenty a helpline's escalation; received over 60 days, decided 1 to 72 hours later."""
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    return f"""
WITH {ranks_sql()},
g AS (
  SELECT i, ({categories})[1 + (i * 31) % {len(CATEGORIES)}] AS category, i % 20 = 0 AS escalation,
    now() - ((i::bigint * 7919) % 5184000) * interval '1 second' - interval '3 days' AS received_at,
    (1 + (i * 37) % 72) * interval '1 hour' AS took
  FROM generate_series({lo}::bigint, {hi}::bigint) i
)
INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
  danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
  acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
SELECT gen_random_uuid(), {platform}, NULL, NULL, CASE WHEN g.escalation THEN {helpline} END,
  CASE WHEN g.escalation THEN 'trusted_flagger' ELSE 'article_16' END,
  CASE WHEN g.escalation THEN 'helpline:bench-3018' ELSE 'reporter:d-' || (g.i % 5000) END, g.category, false,
  NULL, '', '', '', '[]'::jsonb, g.received_at, g.received_at, 'decided', NULL, '', NULL, g.received_at + g.took,
  ranks.rank
FROM g JOIN ranks ON ranks.trusted = g.escalation AND NOT ranks.immediate AND NOT ranks.minor
  AND ranks.category = g.category
"""  # noqa: S608 - numbers only


def dashboard_extras_sql(platform: int) -> str:
    """300 appeals on the track records' decisions (some reversed), and the reach funnel's counts."""
    return f"""
INSERT INTO moderation_appeal (id, decision_id, appellant, reason, received_at, status, decided_by_id,
  decided_by_label, decided_at, explanation)
SELECT gen_random_uuid(), d.id, 'reporter', 'benchmark', now() - (row_number() OVER ()) * interval '2 hours',
  CASE WHEN (row_number() OVER ()) % 3 = 0 THEN 'reversed' WHEN (row_number() OVER ()) % 3 = 1 THEN 'open'
  ELSE 'upheld' END, NULL, '', NULL, ''
FROM (SELECT id FROM moderation_decision WHERE platform_id = {platform} LIMIT 300) d;
INSERT INTO reports_reachcount (platform_id, country, helpline, week, step, count)
SELECT {platform}, c, h, (date_trunc('week', now()) - w * interval '7 days')::date, s, 5 + (w * 7 + length(h)) % 400
FROM generate_series(0, 7) w, unnest(ARRAY['FR', 'BE', 'DE', 'IT', 'ES']) c,
  unnest(ARRAY['fr-3018', 'fr-119', 'be-107', 'de-116111', 'it-114', 'es-116111', 'x-1', 'x-2', 'x-3', 'x-4']) h,
  unnest(ARRAY['shown', 'tapped', 'shared', 'escalated', 'decided']) s;
"""  # noqa: S608 - numbers only


def lists_sql(platform: int, helpline: int, lo: int, hi: int) -> str:
    """Notices lo..hi's share of the other lists (the appeals list, the statements export, the case queue):
    one restriction with its statement of reasons each, on a notice received 200 days ago (outside every
    dashboard's period); an appeal on one in ten (one in a hundred of those still open); and a helpline case,
    with its consent, on one cloned report in ten."""
    return f"""
WITH {ranks_sql()},
g AS (
  SELECT i, now() - ((i::bigint * 7919) % 5184000) * interval '1 second' AS decided_at
  FROM generate_series({lo}::bigint, {hi}::bigint) i
),
n AS (
  INSERT INTO moderation_notice (id, platform_id, report_id, case_id, helpline_id, source, notifier, category,
    danger_immediate, reporter_age, ground_kind, ground, explanation, content_positions, received_at,
    acknowledged_at, status, claimed_by_id, claimed_label, claimed_at, decided_at, queue_rank)
  SELECT gen_random_uuid(), {platform}, NULL, NULL, NULL, 'article_16', 'reporter:s-' || (g.i % 5000),
    'harassment', false, NULL, '', '', '', '[]'::jsonb, now() - interval '200 days', now() - interval '200 days',
    'decided', NULL, '', NULL, g.decided_at, ranks.rank
  FROM g JOIN ranks ON NOT ranks.trusted AND NOT ranks.immediate AND NOT ranks.minor AND ranks.category = 'harassment'
  RETURNING id, decided_at
),
d AS (
  INSERT INTO moderation_decision (id, puid, notice_id, platform_id, outcome, moderator_id, moderator_label,
    decided_at, manifestly_unfounded, summary, statement, informed_at, appeal_deadline, on_appeal_id,
    reversed_by_id, submitted_at, submission_attempts, submission_error, submission_due_at)
  SELECT gen_random_uuid(), 'bench-s-' || n.id, n.id, {platform}, 'restricted', NULL, 'mod-7 (API)', n.decided_at,
    false, 'Removed.', jsonb_build_object('decision_visibility', jsonb_build_array('DECISION_VISIBILITY_CONTENT_REMOVED'),
      'decision_ground', 'DECISION_GROUND_ILLEGAL_CONTENT', 'illegal_content_legal_ground', 'Code pénal art. 222-33-2-2',
      'illegal_content_explanation', repeat('Repeated insults aimed at a child. ', 6), 'category',
      'STATEMENT_CATEGORY_CYBER_VIOLENCE', 'content_type', jsonb_build_array('CONTENT_TYPE_TEXT'), 'source_type',
      'SOURCE_ARTICLE_16', 'automated_detection', 'No', 'automated_decision', 'AUTOMATED_DECISION_NOT_AUTOMATED',
      'application_date', to_char(n.decided_at, 'YYYY-MM-DD'), 'content_date', to_char(n.decided_at, 'YYYY-MM-DD'),
      'territorial_scope', jsonb_build_array('FR', 'BE'), 'decision_facts', repeat('The message insults a pupil. ', 4),
      'puid', 'bench-s-' || n.id),
    n.decided_at, n.decided_at + interval '6 months', NULL, NULL, n.decided_at, 1, '', NULL
  FROM n
  RETURNING id, decided_at
)
INSERT INTO moderation_appeal (id, decision_id, appellant, reason, received_at, status, decided_by_id,
  decided_by_label, decided_at, explanation)
SELECT gen_random_uuid(), d.id, 'affected', 'benchmark', d.decided_at + interval '1 day',
  CASE WHEN hashtext(d.id::text || 'open') % 100 = 0 THEN 'open' ELSE 'upheld' END, NULL, '',
  CASE WHEN hashtext(d.id::text || 'open') % 100 = 0 THEN NULL ELSE d.decided_at + interval '3 days' END, ''
FROM d WHERE hashtext(d.id::text) % 10 = 0;
WITH r AS (
  SELECT r.id, r.category, r.danger, r.received_at, substr(r.platform_report_id, 7)::bigint AS k FROM reports_report r
  WHERE r.platform_report_id IN (SELECT 'bench-' || i FROM generate_series({lo}::bigint, {hi}::bigint) i WHERE i % 10 = 1)
),
c AS (
  INSERT INTO handoffs_consent (id, given_at, text_version, scope, recorded_at, withdrawn_at, helpline_id, report_id)
  SELECT gen_random_uuid(), r.received_at, 'bench', '["content"]'::jsonb, r.received_at, NULL, {helpline}, r.id FROM r
  RETURNING id, report_id
)
INSERT INTO handoffs_case (id, code, status, urgent, category, follow_up_on, created_at, updated_at, code_expires_at,
  withdrawn_at, assigned_to_id, helpline_id, report_id, consent_id)
SELECT gen_random_uuid(), '9' || lpad(r.k::text, 13, '0'),
  (ARRAY['new', 'new', 'in_progress', 'escalated', 'closed', 'closed', 'new', 'in_progress', 'closed', 'closed'])[1 + (r.k / 10) % 10],
  r.danger = 'immediate', r.category, NULL, r.received_at, r.received_at, r.received_at + interval '30 days', NULL,
  NULL, {helpline}, r.id, c.id
FROM c JOIN r ON r.id = c.report_id
"""  # noqa: S608 - numbers only


def list_rows(api: dict[str, str], helpline_console: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """The appeals list, the statements export and the helpline's case queue: (row, path, headers)."""
    return [
        ("appeals API", APPEALS, api),
        ("statements export", STATEMENTS, api),
        ("case queue", CASE_QUEUE, helpline_console),
    ]


# --- HTTP -------------------------------------------------------------------------------------------------


def request(
    port: int, path: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None
) -> tuple[int, dict[str, str], bytes, float]:
    """(status, headers — repeated ones joined by newlines —, body, seconds) on a fresh connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        joined: dict[str, str] = {}
        for name, value in response.getheaders():
            joined[name.lower()] = f"{joined[name.lower()]}\n{value}" if name.lower() in joined else value
        return response.status, joined, data, time.perf_counter() - started
    finally:
        connection.close()


def cookies(headers: dict[str, str]) -> dict[str, str]:
    found = {}
    for name in ("csrftoken", "sessionid"):
        if match := re.search(rf"{name}=([^;]+)", headers.get("set-cookie", "")):
            found[name] = match.group(1)
    return found


def sign_in(port: int, username: str, console: str = "/moderation/") -> str:
    """The person's session cookie, through the console's own sign-in form."""
    status, headers, page, _ = request(port, f"{console}login/", {})
    csrf = cookies(headers)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit(f"the sign-in page answered {status}")
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
    ).encode()
    status, headers, _, _ = request(
        port,
        f"{console}login/",
        {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"},
        "POST",
        form,
    )
    session = cookies(headers).get("sessionid")
    if status != 302 or session is None:
        raise SystemExit(f"signing in was answered {status}")
    return f"sessionid={session}"


def workers_rss(root: int) -> dict[int, int]:
    """VmRSS in kB of every process under `root` but the gunicorn master (the workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    family = {root}
    for _ in range(5):  # relais serve → gunicorn master → workers: a few generations at most
        family |= {pid for pid, ppid in parents.items() if ppid in family}
    rss = {}
    for pid in family - {root}:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if match := re.search(r"VmRSS:\s+(\d+) kB", status):
            rss[pid] = int(match.group(1))
    masters = {parents.get(pid) for pid in rss}
    return {pid: kb for pid, kb in rss.items() if pid not in masters}


def timed(port: int, path: str, headers: dict[str, str], count: int, deadline: float) -> list[float]:
    times = []
    for _ in range(count):
        if time.monotonic() > deadline:
            raise SystemExit("the run's --deadline passed")
        status, _, body, seconds = request(port, path, headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
        times.append(seconds * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the benchmark ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--sizes", default="10000,100000,1000000", help="undecided notices, ascending")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per kind and size (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per kind first (20)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--deadline", type=float, default=3600, help="seconds for the whole run (3600)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print the plan of the console page's query")
    parser.add_argument("--log", type=Path, help="the server's log (default: a temporary file)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes != sorted(sizes) or sizes[0] < 20 or any(s % 20 for s in sizes):
        raise SystemExit("--sizes: ascending multiples of 20")
    if urllib.parse.urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("this benchmark is for PostgreSQL: --database-url postgres://…")
    client_args(args.database_url)
    deadline = time.monotonic() + args.deadline
    port = args.port or free_port()
    print(
        f"{os.cpu_count()} CPUs; relais serve --workers {args.workers} on {HOST}:{port}; PostgreSQL "
        f"{psql(args.database_url, 'SHOW server_version', database='postgres')}, database "
        f"{database_name(args.database_url)} (created for this run); {args.requests} timed requests per row"
    )
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as tmp:
        log_path = args.log or Path(tmp) / "server.log"
        with open(log_path, "w") as log, own_database(args.database_url, args.keep):
            try:
                rows = measure(args, sizes, port, deadline, log)
            except BaseException:
                log.flush()
                kept = Path(tempfile.gettempdir()) / "relais-bench-queue-server.log"
                if log_path != args.log:
                    kept.write_text(log_path.read_text())
                    print(f"server log: {kept}", file=sys.stderr)
                raise
    header = f"{'undecided':>10} {'row':<18} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}"
    print(f"\n{header} {'worker RSS MB before → after':>32}")
    for size, name, times, cpu, before, after in rows:
        memory = ", ".join(f"{before.get(pid, 0) / 1024:.0f} → {after[pid] / 1024:.0f}" for pid in sorted(after))
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        print(f"{size:>10,} {name:<18} {p50:>8.1f} {p99:>8.1f} {cpu:>11.1f} {memory:>32}")
    print("CPU ms/req: the server's (gunicorn master and workers) CPU time per request, from /proc: what the")
    print("request costs, whatever the other processes on the machine do to the wall-clock figures")
    largest = {name: percentile(times, 0.99) for size, name, times, *_ in rows if size == rows[-1][0]}
    print(
        f"goals at {rows[-1][0]:,}: next item p99 <= 20 ms ({largest['next item']:.1f}), console page p99 <= 100 ms "
        f"({largest['console page']:.1f}); dashboards p99 <= 200 ms (lead {largest['lead figures']:.1f}, funnel "
        f"{largest['funnel API']:.1f}, supervisor {largest['supervisor figures']:.1f})"
    )


Row = tuple[int, str, list[float], float, dict[int, int], dict[int, int]]
"""(size, request, milliseconds, server CPU ms per request, workers' RSS before, after)."""


def measure(args: argparse.Namespace, sizes: list[int], port: int, deadline: float, log: IO[str]) -> list[Row]:
    url = args.database_url
    rows: list[Row] = []
    with running_server(port, args.workers, url, log) as server:
        key = cli(url, log, "platform", "add", "Bench Social", "--slug", "bench-social", "--country", "IE")
        key = key.strip().splitlines()[-1]
        cli(url, log, "platform", "add", "Noise Place", "--slug", "noise-place", "--country", "FR")
        cli(url, log, "helpline", "add", "Bench 3018", "--slug", "bench-3018", "--directory-id", "fr-3018")
        cli(url, log, "moderator", "add", "alex", "--platform", "bench-social", "--password-stdin", stdin=PASSWORD)
        lead = ("lee", "--platform", "bench-social", "--role", "lead", "--password-stdin")
        cli(url, log, "moderator", "add", *lead, stdin=PASSWORD)
        supervisor = ("sam", "--helpline", "bench-3018", "--role", "supervisor", "--password-stdin")
        cli(url, log, "staff", "add", *supervisor, stdin=PASSWORD)
        before, after = report_templates(1, seed=13)[0]
        status, data = post_one(port, key, f"{before}bench-original{after}".encode())
        if status != 201:
            raise SystemExit(f"the report was answered {status}: {data}")
        ids = psql(
            url,
            "SELECT (SELECT id FROM tenants_platform WHERE slug = 'bench-social'), "
            "(SELECT id FROM tenants_platform WHERE slug = 'noise-place'), "
            "(SELECT id FROM tenants_helpline WHERE slug = 'bench-3018')",
        ).split("|")
        platform, noise, helpline = (int(v) for v in ids)
        card = len(orjson.dumps(data["help"]))
        print(f"server up (pid {server.pid}); one report {data['id']} through the API (help card {card:,} bytes)")
        psql(url, records_sql(platform))
        psql(url, dashboard_extras_sql(platform))
        api = {"Authorization": f"Bearer {key}"}
        console = {"Cookie": sign_in(port, "alex")}
        lead_console = {"Cookie": sign_in(port, "lee")}
        helpline_console = {"Cookie": sign_in(port, "sam", "/console/")}
        made = 0  # generated so far (the real report's own notice is one more)
        for size in sizes:
            started = time.monotonic()
            for lo in range(made + 1, size + 1, BATCH):  # lo ≡ 1 (mod 20): escalations find their report
                if time.monotonic() > deadline:
                    raise SystemExit("the run's --deadline passed while generating")
                hi = min(lo + BATCH - 1, size)
                psql(url, grow_sql(data["id"], platform, helpline, lo, hi))
                psql(url, noise_sql(noise, lo // 10, hi // 10))
                psql(url, decided_sql(platform, helpline, lo, hi))
                psql(url, lists_sql(platform, helpline, lo, hi))
            made = size
            psql(url, "VACUUM ANALYZE")  # every table: the track records' plan depends on the decisions' statistics
            waiting = psql(
                url,
                f"SELECT count(*) FROM moderation_notice WHERE platform_id = {platform} AND status IN ('open', 'claimed')",  # noqa: S608
            )
            print(f"{int(waiting):,} undecided notices (generated in {time.monotonic() - started:.1f} s)", flush=True)
            _, headers, _, _ = request(port, "/api/v1/moderation/queue?limit=100", api)
            middle = "/api/v1/moderation/queue?limit=100"
            for _ in range(min(size // 200, 20)):  # a few hops into the queue, for a cursor from its middle
                cursor = headers.get("next-cursor")
                if cursor is None:
                    break
                middle = f"/api/v1/moderation/queue?limit=100&cursor={cursor}"
                _, headers, _, _ = request(port, middle, api)
            for name, path, headers_ in (
                ("next item", NEXT_ITEM, api),
                ("API page", middle, api),
                ("console page", CONSOLE, console),
                ("lead figures", LEAD_FIGURES, lead_console),
                ("funnel API", FUNNEL, api),
                ("supervisor figures", SUPERVISOR_FIGURES, helpline_console),
                *list_rows(api, helpline_console),
            ):
                timed(port, path, headers_, args.warmup, deadline)
                rss_before, cpu_before = workers_rss(server.pid), process_cpu_seconds(server.pid)
                times = timed(port, path, headers_, args.requests, deadline)
                cpu = (process_cpu_seconds(server.pid) - cpu_before) * 1000 / args.requests
                rss_after = workers_rss(server.pid)
                rows.append((size, name, times, cpu, rss_before, rss_after))
                print(
                    f"  {name:<18} p50 {percentile(times, 0.5):7.1f} ms  p99 {percentile(times, 0.99):7.1f} ms  "
                    f"mean {statistics.fmean(times):7.1f} ms  server CPU {cpu:5.1f} ms/req  "
                    f"load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            if args.explain:
                print(psql(url, explain_sql(platform)))
                for query in figures_explain_sql(platform):
                    print(psql(url, query))
            rows += dashboard_rows(args, size, server.pid, port, (lead_console, helpline_console), deadline, log)
    return rows


# --- the dashboards over 30 and 90 days, counted live and from daily roll-ups (ADR 0040) -----------------


def dashboard_paths(days: int) -> tuple[str, str]:
    """The lead's and the supervisor's page over the last `days` days to today (the bench's tenants are in
    Dublin and Paris: a day either way changes nothing that is timed)."""
    today = datetime.now(UTC).date()
    query = f"?from={today - timedelta(days=days - 1)}&to={today}"
    return LEAD_FIGURES + query, SUPERVISOR_FIGURES + query


def timed_row(
    args: argparse.Namespace, size: int, name: str, target: tuple[int, int, str, dict[str, str]], deadline: float
) -> Row:
    root, port, path, headers = target
    timed(port, path, headers, args.warmup, deadline)
    rss_before, cpu_before = workers_rss(root), process_cpu_seconds(root)
    times = timed(port, path, headers, args.requests, deadline)
    cpu = (process_cpu_seconds(root) - cpu_before) * 1000 / args.requests
    print(
        f"  {name:<18} p50 {percentile(times, 0.5):7.1f} ms  p99 {percentile(times, 0.99):7.1f} ms  "
        f"server CPU {cpu:5.1f} ms/req  load average {Path('/proc/loadavg').read_text().split()[0]}",
        flush=True,
    )
    return (size, name, times, cpu, rss_before, workers_rss(root))


def dashboard_rows(
    args: argparse.Namespace,
    size: int,
    root: int,
    port: int,
    consoles: tuple[dict[str, str], dict[str, str]],
    deadline: float,
    log: IO[str],
) -> list[Row]:
    """Both dashboards over 90 days counted live; `relais figures rebuild` over every generated day, timed;
    then both over 30 and 90 days from the roll-ups. The roll-ups are dropped again at the end: the next
    size's notices are written into days already over, which only a rebuild counts (ADR 0040)."""
    url = args.database_url
    lead, supervisor = consoles
    (lead_30, supervisor_30), (lead_90, supervisor_90) = dashboard_paths(30), dashboard_paths(90)
    rows = [timed_row(args, size, "lead 90 d live", (root, port, lead_90, lead), deadline)]
    started = time.monotonic()
    said = cli(
        url,
        log,
        "figures",
        "rebuild",
        "--platform",
        "bench-social",
        "--from",
        str(datetime.now(UTC).date() - timedelta(days=70)),
    )
    print(f"  roll-ups built in {time.monotonic() - started:.1f} s (with the CLI's start-up): {said.strip()}")
    for name, path, headers in (
        ("lead 30 d rolled", lead_30, lead),
        ("lead 90 d rolled", lead_90, lead),
        ("supervisor 30 d", supervisor_30, supervisor),
        ("supervisor 90 d", supervisor_90, supervisor),
    ):
        rows.append(timed_row(args, size, name, (root, port, path, headers), deadline))
    if args.explain:
        for query in rollup_explain_sql():
            print(psql(url, query))
    psql(url, "DELETE FROM moderation_noticeday; DELETE FROM moderation_rolledupday")
    return rows


def rollup_explain_sql() -> list[str]:
    """What the rolled-up lead page reads: 90 days of roll-ups, and today's notices."""
    platform = "(SELECT id FROM tenants_platform WHERE slug = 'bench-social')"
    return [
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT day, source, category, decision_minutes "  # noqa: S608
        f"FROM moderation_noticeday WHERE platform_id = {platform} AND day >= current_date - 89 AND decided > 0",
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*) FROM moderation_notice "  # noqa: S608
        f"WHERE platform_id = {platform} AND status = 'decided' AND decided_at >= current_date",
    ]


def explain_sql(platform: int) -> str:
    return (
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT n.id, n.queue_rank, n.received_at, h.name "  # noqa: S608
        "FROM moderation_notice n LEFT JOIN tenants_helpline h ON h.id = n.helpline_id "
        f"WHERE n.platform_id = {platform} AND n.status IN ('open', 'claimed') "
        # One row per report's notices, led by the first in queue order (access._queue_sql, ADR 0027).
        "AND NOT EXISTS (SELECT 1 FROM moderation_notice u WHERE u.platform_id = n.platform_id "
        "AND u.report_id = n.report_id AND u.status IN ('open', 'claimed') AND (u.queue_rank < n.queue_rank "
        "OR (u.queue_rank = n.queue_rank AND u.received_at < n.received_at) OR (u.queue_rank = n.queue_rank "
        "AND u.received_at = n.received_at AND u.id < n.id))) "
        "ORDER BY n.queue_rank, n.received_at, n.id LIMIT 50"
    )


def figures_explain_sql(platform: int) -> list[str]:
    """The lead dashboard's heaviest queries (relais/moderation/figures.py), over the default 30 days."""
    since = "now() - interval '30 days'"
    return [
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT (received_at AT TIME ZONE 'Europe/Paris')::date, count(*) "  # noqa: S608
        f"FROM moderation_notice WHERE platform_id = {platform} AND received_at >= {since} GROUP BY 1",
        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT source, category, count(*), percentile_cont(0.5) WITHIN "  # noqa: S608
        "GROUP (ORDER BY EXTRACT(EPOCH FROM decided_at - received_at)) FROM moderation_notice "
        f"WHERE platform_id = {platform} AND status = 'decided' AND decided_at >= {since} GROUP BY source, category",
    ]


if __name__ == "__main__":
    main()
