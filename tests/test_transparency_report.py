"""The DSA transparency report (ADR 0039): the pure row builder, the counts against the real database
(SQLite and PostgreSQL) from data whose answers are known, `relais transparency report` checked column by
column against the sections vendored from Implementing Regulation (EU) 2024/2835, the walls between
platforms, and the lead's page, whose numbers are the CSV's and whose charts say what their tables say."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from relais import figures
from relais.moderation import transparency_counts
from relais.moderation import transparency_report as report
from relais.moderation.models import Appeal, Decision, Notice, NoticeStatus, Source
from tests.test_figures import notice
from tests.test_moderation_console import World, signed_in
from tests.test_moderation_console import world as world

DATA = Path(__file__).parent / "data" / "dsa-2024-2835"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.fromisoformat("2026-11-25T21:00:00+00:00")


def vendored_sections() -> dict[str, str]:
    with (DATA / "sections.csv").open(newline="", encoding="utf-8") as f:
        return {row["code"]: row["title"] for row in csv.DictReader(f)}


def by_key(rows: list[report.Row]) -> dict[tuple[str, str], report.Row]:
    return {(r.field, r.breakdown): r for r in rows}


# --- the pure row builder ---

KNOWN = report.Counts(
    provider="Sunny Social",
    first=date(2026, 1, 1),
    last=date(2026, 12, 31),
    notices={("article_16", "harassment"): 30, ("trusted_flagger", "grooming"): 4, ("article_16", "hate"): 12},
    not_processed=2,
    actions={
        ("DECISION_GROUND_ILLEGAL_CONTENT", "STATEMENT_CATEGORY_CYBER_VIOLENCE"): 11,
        ("DECISION_GROUND_INCOMPATIBLE_CONTENT", "STATEMENT_CATEGORY_CYBER_VIOLENCE"): 3,
    },
    no_action=20,
    automated={"AUTOMATED_DECISION_PARTIALLY": 14},
    time_to_action=figures.Durations((), 34, 5.25, None),
    time_to_action_by_source=(
        figures.Durations(("article_16",), 30, 6.0, None),
        figures.Durations(("trusted_flagger",), 4, 1.0, None),
    ),
    complaints={"reporter": 12},
    complaint_decisions={"upheld": 10, "reversed": 2},
    complaints_open=0,
    complaint_time=figures.Durations((), 12, 48.0, None),
)


def test_the_rows_follow_the_templates_sections_in_order() -> None:
    rows = report.rows(KNOWN)
    vendored = vendored_sections()
    order = list(vendored)
    seen = list(dict.fromkeys(r.section for r in rows))
    assert seen == [s.code for s in report.SECTIONS]
    assert [order.index(code) for code in seen] == sorted(order.index(code) for code in seen)
    assert all(vendored[s.code] == s.title for s in report.SECTIONS)


@pytest.mark.parametrize(
    ("field", "breakdown", "value", "note"),
    [
        ("provider", "", "Sunny Social", ""),
        ("notices", "", "46", report.RECOVERABLE),  # 46 - 30 - 12 gives the grooming notices away
        ("notices", "STATEMENT_CATEGORY_CYBER_VIOLENCE", "30", ""),
        ("notices", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "12", ""),
        ("notices", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "< 10", ""),  # 4 grooming notices
        ("notices", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "0", ""),  # a zero names nobody
        ("notices_by_source", "SOURCE_TRUSTED_FLAGGER", "< 10", ""),
        ("notices_by_source", "SOURCE_ARTICLE_16", "42", ""),
        ("notices_not_processed", "", "< 10", ""),
        ("actions_by_ground", "", "14", report.RECOVERABLE),
        ("actions_by_ground", "DECISION_GROUND_ILLEGAL_CONTENT", "11", ""),
        ("actions_by_ground", "DECISION_GROUND_INCOMPATIBLE_CONTENT", "< 10", ""),
        ("actions_by_category", "STATEMENT_CATEGORY_CYBER_VIOLENCE", "14", ""),
        ("no_action", "", "20", ""),
        ("automated", "AUTOMATED_DECISION_PARTIALLY", "14", ""),
        ("median_time", "", "5.2", ""),
        ("median_time", "SOURCE_ARTICLE_16", "6.0", ""),
        ("median_time", "SOURCE_TRUSTED_FLAGGER", "", report.SMALL),  # over 4 notices: not published
        ("complaints", "", "12", ""),
        ("complaint_decisions", "reversed", "< 10", ""),
        ("complaint_median_time", "", "48.0", ""),
        ("orders_to_act", "", "", report.NOT_RECORDED),
        ("own_initiative", "", "", report.NOT_RECORDED),
        ("suspensions_notices", "", "", report.NOT_RECORDED),
        ("human_resources", "", "", report.NOT_APPLICABLE),
    ],
)
def test_each_row_says_what_the_counts_say(field: str, breakdown: str, value: str, note: str) -> None:
    row = by_key(report.rows(KNOWN))[(field, breakdown)]
    assert (row.value, row.note) == (value, note)


def test_nothing_is_made_up_where_relais_cannot_know() -> None:
    for row in report.rows(report.Counts(provider="P", first=date(2026, 1, 1), last=date(2026, 1, 31))):
        if row.note in (report.NOT_RECORDED, report.NOT_APPLICABLE):
            assert row.value == ""
        assert row.value != "" or row.note != "" or row.field == "median_time" or row.field.endswith("median_time")


def test_the_csv_has_the_columns_and_the_sections_of_the_template() -> None:
    text = report.to_csv(report.rows(KNOWN))
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == report.CSV_HEADER
    vendored = vendored_sections()
    for line in lines[1:]:
        assert len(line) == len(report.CSV_HEADER)
        assert vendored[line[0]] == line[1]
        assert line[2] == report.FIELDS[next(k for k, v in report.FIELDS.items() if v == line[2])]


# --- the counts, against the database ---


def decision(n: Notice, at: datetime, *, ground: str = "", category: str = "", **fields: Any) -> Decision:
    statement = (
        {"decision_ground": ground, "category": category, "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED"}
        if ground
        else None
    )
    return Decision.objects.create(
        puid=f"p-{n.pk}",
        notice=n,
        platform=n.platform,
        outcome="restricted" if ground else "no_action",
        moderator_label="lee",
        decided_at=at,
        informed_at=at,
        appeal_deadline=at + timedelta(days=180),
        statement=statement,
        **fields,
    )


@pytest.fixture
def known(world: World) -> World:
    """In November 2026: 12 harassment notices decided in 1 to 12 hours (10 restricted on the law, 2 without
    action), 3 trusted-flagger grooming notices, one not processed; 12 complaints, 10 upheld and 2 reversed
    in 24 hours each; and the other platform's notices, decisions and complaints, never counted."""
    start = datetime(2026, 11, 10, 9, 0, tzinfo=PARIS)
    for hours in range(1, 13):
        n = notice(world.platform, start, status=NoticeStatus.DECIDED, decided_at=start + timedelta(hours=hours))
        d = decision(
            n,
            start + timedelta(hours=hours),
            ground="DECISION_GROUND_ILLEGAL_CONTENT" if hours <= 10 else "",
            category="STATEMENT_CATEGORY_CYBER_VIOLENCE",
            submitted_at=start + timedelta(hours=hours) if hours <= 4 else None,
        )
        Appeal.objects.create(
            decision=d,
            appellant="reporter",
            reason="r",
            received_at=start + timedelta(days=1),
            decided_at=start + timedelta(days=2),
            status="reversed" if hours > 10 else "upheld",
        )
    for _ in range(3):
        notice(world.platform, start, source=Source.TRUSTED_FLAGGER, category="grooming")
    notice(world.platform, start, status=NoticeStatus.SUSPENDED)
    notice(world.platform, datetime(2026, 10, 31, 23, 30, tzinfo=PARIS))  # the day before the period
    for _ in range(20):
        other = notice(world.other_platform, start, status=NoticeStatus.DECIDED, decided_at=start)
        Appeal.objects.create(
            decision=decision(
                other, start, ground="DECISION_GROUND_ILLEGAL_CONTENT", category="STATEMENT_CATEGORY_VIOLENCE"
            ),
            appellant="affected_user",
            reason="r",
            received_at=start,
        )
    return world


NOVEMBER = ("2026-11-01", "2026-11-30")


def test_the_counts_for_a_period(known: World) -> None:
    period = figures.period(*NOVEMBER, now=NOW, zone=PARIS)
    found = transparency_counts.counts(known.platform, period)
    assert found.notices == {("article_16", "harassment"): 13, ("trusted_flagger", "grooming"): 3}
    assert found.not_processed == 1
    assert found.actions == {("DECISION_GROUND_ILLEGAL_CONTENT", "STATEMENT_CATEGORY_CYBER_VIOLENCE"): 10}
    assert found.no_action == 2
    assert found.automated == {}
    assert (found.time_to_action.count, found.time_to_action.median_hours) == (12, 6.5)
    assert [(d.key, d.count) for d in found.time_to_action_by_source] == [(("article_16",), 12)]
    assert found.complaints == {"reporter": 12}
    assert found.complaint_decisions == {"upheld": 10, "reversed": 2}
    assert found.complaints_open == 0
    assert (found.complaint_time.count, found.complaint_time.median_hours) == (12, 24.0)
    assert found.statements == report.StatementCounts(total=10, submitted=4, waiting=0, failed=0)


def test_another_platforms_rows_are_never_counted(known: World) -> None:
    period = figures.period(*NOVEMBER, now=NOW, zone=PARIS)
    mine = transparency_counts.counts(known.platform, period)
    theirs = transparency_counts.counts(known.other_platform, period)
    assert "STATEMENT_CATEGORY_VIOLENCE" not in {c for _, c in mine.actions}
    assert "affected_user" not in mine.complaints
    assert theirs.notices == {("article_16", "harassment"): 20}
    assert theirs.complaints == {"affected_user": 20}
    assert theirs.complaints_open == 20


# --- the command ---


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("transparency", *args, stdout=out)
    return out.getvalue()


def test_the_command_writes_the_csv_column_by_column(known: World) -> None:
    text = run("report", known.platform.slug, "--from", NOVEMBER[0], "--to", NOVEMBER[1])
    lines = list(csv.reader(io.StringIO(text)))
    assert tuple(lines[0]) == report.CSV_HEADER
    vendored = vendored_sections()
    cells = {}
    for section, title, field, breakdown, value, note in lines[1:]:
        assert vendored[section] == title, section
        assert field in report.FIELDS.values()
        cells[(field, breakdown)] = (value, note)
    words = report.FIELDS
    assert cells[(words["provider"], "")] == (known.platform.name, "")
    assert cells[(words["notices"], "")] == ("16", report.RECOVERABLE)
    assert cells[(words["notices"], "STATEMENT_CATEGORY_CYBER_VIOLENCE")] == ("13", "")
    assert cells[(words["notices"], "STATEMENT_CATEGORY_PROTECTION_OF_MINORS")] == ("< 10", "")
    assert cells[(words["notices_by_source"], "SOURCE_TRUSTED_FLAGGER")] == ("< 10", "")
    assert cells[(words["actions_by_ground"], "DECISION_GROUND_ILLEGAL_CONTENT")] == ("10", "")
    assert cells[(words["median_time"], "")] == ("6.5", "")
    assert cells[(words["complaint_decisions"], "reversed")] == ("< 10", "")
    assert cells[(words["orders_to_act"], "")] == ("", report.NOT_RECORDED)
    assert text.endswith("\r\n")


def test_the_command_writes_text_and_files(known: World, tmp_path: Path) -> None:
    text = run("report", known.platform.slug, "--from", NOVEMBER[0], "--to", NOVEMBER[1], "--format", "text")
    assert "1.3 Article 15(1)(b)." in text
    assert "[STATEMENT_CATEGORY_PROTECTION_OF_MINORS]: < 10" in text
    target = tmp_path / "report.csv"
    call_command(
        "transparency", "report", known.platform.slug, "--from", NOVEMBER[0], "--to", NOVEMBER[1],
        "--output", str(target), stderr=io.StringIO(),
    )  # fmt: skip
    assert target.read_text(encoding="utf-8").startswith(",".join(report.CSV_HEADER))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no-such-platform", "--from", "2026-11-01", "--to", "2026-11-30"), "slug: no platform 'no-such-platform'"),
        (("{slug}", "--from", "2026-13-01", "--to", "2026-11-30"), "--from: a date as YYYY-MM-DD"),
        (("{slug}", "--from", "2026-11-30", "--to", "2026-11-01"), "--from: the period starts after it ends"),
        (("{slug}", "--from", "2025-01-01", "--to", "2026-11-30"), "--from: at most 366 days"),
    ],
)
def test_the_command_names_what_is_wrong(world: World, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        run("report", *(a.format(slug=world.platform.slug) for a in args))


# --- the page ---


def page_cells(page: str) -> dict[tuple[str, str], str]:
    found = re.findall(
        r'<tr data-section="[^"]*" data-field="([^"]*)" data-breakdown="([^"]*)">.*?'
        r'<td class="report-value">([^<]*)</td>',
        page,
    )
    return {(f, b): html.unescape(v) for f, b, v in found}


def test_the_pages_numbers_are_the_csvs(known: World) -> None:
    client = signed_in(known.lead.user)
    query = f"?from={NOVEMBER[0]}&to={NOVEMBER[1]}"
    page = client.get(f"/moderation/transparency/{query}").content.decode()
    download = client.get(f"/moderation/transparency/report.csv{query}")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f"transparency-{known.platform.slug}-2026-11-01-2026-11-30.csv" in download["Content-Disposition"]
    field_of = {v: k for k, v in report.FIELDS.items()}
    csv_cells = {
        (field_of[field], breakdown): value or "—"
        for _, _, field, breakdown, value, _ in list(csv.reader(io.StringIO(download.content.decode())))[1:]
    }
    assert page_cells(page) == csv_cells
    assert len(csv_cells) > 40


def test_each_chart_says_what_its_table_says(known: World) -> None:
    page = signed_in(known.lead.user).get(f"/moderation/transparency/?from={NOVEMBER[0]}&to={NOVEMBER[1]}")
    text = page.content.decode()
    for chart_id in ("chart-categories", "chart-sources", "chart-complaints"):
        svg = text[text.index(f'id="{chart_id}"') : text.index("</svg>", text.index(f'id="{chart_id}"'))]
        drawn = dict(re.findall(r'data-label="([^"]+)" data-value="(\d*)"', svg))
        table = text[text.index(f'data-chart="{chart_id}"') :]
        table = table[: table.index("</table>")]
        rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', table))
        assert {html.unescape(k): v or "< 10" for k, v in drawn.items()} == {
            html.unescape(k): html.unescape(v) for k, v in rows.items()
        }
        assert drawn, chart_id
    assert 'data-value="10"' in text  # 10 upheld complaints drawn
    assert "Decision reversed" in text  # and 2 reversed, "< 10" in both


def test_the_page_is_the_leads_only_and_speaks_french(known: World) -> None:
    assert signed_in(known.moderator.user).get("/moderation/transparency/").status_code == 403
    assert signed_in(known.moderator.user).get("/moderation/transparency/report.csv").status_code == 403
    assert signed_in(known.counsellor.user).get("/moderation/transparency/").status_code == 403
    assert "/moderation/transparency/" not in signed_in(known.moderator.user).get("/moderation/").content.decode()
    french = signed_in(known.lead.user, "fr").get("/moderation/transparency/?from=2026-13-01").content.decode()
    assert "Rapport de transparence" in french
    assert "Les 30 derniers jours" in french or "30 derniers jours" in french
    bad = signed_in(known.lead.user).get("/moderation/transparency/report.csv?from=2026-13-01")
    assert bad.status_code == 400
    assert bad.content.decode().startswith("from:")


@pytest.mark.parametrize(
    ("today", "year", "half"),
    [
        (date(2026, 12, 4), (date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 6, 30))),
        (date(2026, 3, 1), (date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 7, 1), date(2025, 12, 31))),
        (date(2026, 7, 1), (date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 6, 30))),
    ],
)
def test_the_last_whole_reporting_periods(today: date, year: tuple[date, date], half: tuple[date, date]) -> None:
    assert report.reporting_periods(today) == [year, half]


def test_the_page_offers_the_whole_reporting_periods(known: World, settings: Any) -> None:
    settings.RELAIS_FAKE_NOW = NOW.isoformat()
    page = signed_in(known.lead.user, "fr").get("/moderation/transparency/").content.decode()
    assert 'href="?from=2025-01-01&amp;to=2025-12-31"' in page
    assert 'href="?from=2026-01-01&amp;to=2026-06-30"' in page
    assert "Du mercredi 1 janvier 2025 au mercredi 31 décembre 2025" in page


def test_a_total_that_gives_away_its_one_hidden_count_is_flagged() -> None:
    rows = by_key(report.rows(KNOWN))
    # notices by source: 42 from users, "< 10" from trusted flaggers, 0 from helplines: 46 - 42 = 4
    assert rows[("notices", "")].note == report.RECOVERABLE
    # actions: 11 on the law, "< 10" on the terms: 14 - 11 = 3
    assert rows[("actions_by_ground", "")].note == report.RECOVERABLE
    # complaints: 10 upheld, "< 10" reversed
    assert rows[("complaint_decisions", "")].note == report.RECOVERABLE
    assert rows[("complaints", "")].note == ""  # 12 from reporters, none hidden
    two_hidden = report.Counts(
        provider="P",
        first=date(2026, 1, 1),
        last=date(2026, 12, 31),
        complaint_decisions={"upheld": 4, "reversed": 3},
    )
    assert by_key(report.rows(two_hidden))[("complaint_decisions", "")].note == ""  # 7 = 4 + 3: ambiguous
