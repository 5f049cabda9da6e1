"""The dashboards' figures against the real database (SQLite and PostgreSQL), from data whose answers are
known: per day in the platform's zone, overdue now by SLA class, time to decision (median, p90) by source
and category, appeals, a helpline's cases and first looks, and the reach funnel counted as things happen.
Then the two console pages: who may open them, and that each chart says what its table says."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from relais import clock, figures
from relais.handoffs import figures as helpline_figures
from relais.handoffs import services as handoffs
from relais.handoffs.models import Case
from relais.moderation import figures as moderation_figures
from relais.moderation import services
from relais.moderation.models import Appeal, Decision, Notice, NoticeStatus, Source
from relais.reports import figures as reach_figures
from relais.reports.models import ReachCount
from relais.tenants.models import Platform
from tests.test_moderation_console import REMOVED, World, escalated, make_report, signed_in
from tests.test_moderation_console import world as world

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.fromisoformat("2026-11-25T21:00:00+00:00")
SVG = "{http://www.w3.org/2000/svg}"


def notice(platform: Platform, received_at: datetime, **fields: Any) -> Notice:
    values: dict[str, Any] = {"source": Source.ARTICLE_16, "category": "harassment", **fields}
    made = Notice(platform=platform, received_at=received_at, acknowledged_at=received_at, **values)
    services.ranked(made).save(force_insert=True)
    return made


def decision(n: Notice, at: datetime) -> Decision:
    return Decision.objects.create(
        puid=f"p-{n.pk}",
        notice=n,
        platform=n.platform,
        outcome="no_action",
        moderator_label="lee",
        decided_at=at,
        informed_at=at,
        appeal_deadline=at + timedelta(days=180),
    )


@pytest.fixture
def known(world: World) -> World:
    """Ten harassment reports decided in 1 to 10 hours; overdue and on-time notices of each class; appeals."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=PARIS)
    for hours in range(1, 11):
        n = notice(world.platform, start, status=NoticeStatus.DECIDED, decided_at=start + timedelta(hours=hours))
        decision(n, n.decided_at)  # type: ignore[arg-type]
    notice(world.platform, NOW - timedelta(hours=30), source=Source.TRUSTED_FLAGGER)  # overdue (24 h)
    notice(world.platform, NOW - timedelta(hours=2), source=Source.TRUSTED_FLAGGER)  # not yet
    notice(world.platform, NOW - timedelta(hours=2), danger_immediate=True, status=NoticeStatus.CLAIMED)  # 1 h
    notice(world.platform, NOW - timedelta(hours=30), reporter_age=15)  # overdue (24 h)
    notice(world.platform, NOW - timedelta(days=20), status=NoticeStatus.SUSPENDED)  # not processed: not due
    # 00:30 on 27 October in Paris, the first day of the default period, but still 26 October in UTC:
    notice(world.platform, datetime.fromisoformat("2026-10-26T23:30:00+00:00"), category="threat")
    notice(world.other_platform, NOW - timedelta(days=5))  # another platform's: never counted
    first, second = Decision.objects.filter(platform=world.platform).order_by("decided_at")[:2]
    Appeal.objects.create(
        decision=first, appellant="reporter", reason="r", received_at=NOW - timedelta(days=1), status="reversed"
    )
    Appeal.objects.create(decision=second, appellant="reporter", reason="r", received_at=NOW - timedelta(days=1))
    Appeal.objects.create(decision=first, appellant="affected_user", reason="r", received_at=NOW - timedelta(days=60))
    return world


def test_the_leads_figures_for_the_default_period(known: World) -> None:
    period = figures.period(None, None, now=NOW, zone=PARIS)
    found = moderation_figures.lead_figures(known.platform, period, NOW)
    per_day = {d.day: (d.received, d.decided) for d in found.days}
    assert len(per_day) == 30
    assert per_day[date(2026, 10, 27)] == (1, 0)  # counted in the platform's day, not UTC's
    assert per_day[date(2026, 11, 20)] == (10, 10)
    assert per_day[date(2026, 11, 24)] == (2, 0)
    assert per_day[date(2026, 11, 25)] == (2, 0)
    assert (found.received, found.decided) == (16, 10)
    assert found.overdue == {"immediate": 1, "trusted_flagger": 1, "minor": 1, "standard": 1}
    (times,) = found.decision_times
    assert (times.key, times.count, times.median_hours) == (("article_16", "harassment"), 10, 5.5)
    assert times.p90_hours == pytest.approx(9.1)
    assert found.appeals == moderation_figures.AppealFigures(received=2, waiting=1, upheld=0, reversed=1)


def test_a_chosen_period_counts_only_its_days(known: World) -> None:
    period = figures.period("2026-11-21", "2026-11-24", now=NOW, zone=PARIS)
    found = moderation_figures.lead_figures(known.platform, period, NOW)
    assert [d.day for d in found.days] == [date(2026, 11, d) for d in (21, 22, 23, 24)]
    assert (found.received, found.decided) == (2, 0)
    assert found.decision_times == []
    assert found.appeals.received == 2


def test_few_decisions_give_a_count_but_no_times(world: World) -> None:
    at = NOW - timedelta(days=2)
    for hours in (1, 2, 3):
        notice(
            world.platform,
            at,
            category="sextortion",
            status=NoticeStatus.DECIDED,
            decided_at=at + timedelta(hours=hours),
        )
    period = figures.period(None, None, now=NOW, zone=PARIS)
    (times,) = moderation_figures.decision_times(world.platform, period)
    assert (times.count, times.median_hours) == (3, 2.0)
    assert not times.published


def shared_cases(world: World, count: int, category: str = "harassment", prefix: str = "r") -> list[Case]:
    cases = []
    for i in range(count):
        report = make_report(world.platform, f"{prefix}{i}", category=category)
        case, _ = handoffs.share_report(
            platform=world.platform,
            report=report,
            helpline_id="fr-3018",
            given_at=NOW,
            text_version="fr-2026-11",
            scope=["report", "content"],
            now=NOW - timedelta(days=1),
        )
        cases.append(case)
    return cases


def test_the_supervisors_figures_and_the_funnel_as_counted(world: World) -> None:
    cases = shared_cases(world, 12)
    shared_cases(world, 3, category="threat", prefix="t")
    actor = handoffs.Actor.staff(world.counsellor)
    for hours, case in enumerate(cases[:10], start=1):
        handoffs.view_case(actor=actor, case=case, now=case.created_at + timedelta(hours=hours))
    notice_ = escalated(world, "esc")  # one more report, shared and escalated now
    services.decide(actor=services.ModeratorActor.person(world.lead), notice=notice_, data=REMOVED, now=clock.now())
    period = figures.period(None, None, now=NOW, zone=PARIS)
    found = helpline_figures.supervisor_figures(world.helpline, period)
    assert found.by_category == {"harassment": 13, "threat": 3}
    assert found.by_status == {"new": 15, "escalated": 1}
    assert (found.first_look.count, found.first_look.median_hours) == (10, 5.5)
    assert found.not_looked_at == 6
    assert found.escalations == {"waiting": 0, "restricted": 1, "no_action": 0, "not_processed": 0}
    (row,) = reach_figures.platform_funnel(world.platform.pk, period)
    assert (row.country, row.helpline) == ("FR", "fr-3018")
    assert row.counts == {"shown": 0, "tapped": 0, "shared": 16, "escalated": 1, "decided": 1}
    assert reach_figures.helpline_funnel("fr-3018", period) == [row]
    assert reach_figures.platform_funnel(world.other_platform.pk, period) == []


def test_bumps_add_up_in_one_cell_per_week(world: World) -> None:
    for _ in range(3):
        ReachCount.record(platform=world.platform, country="FR", helplines=["fr-3018", "fr-119"], step="shown", at=NOW)
    ReachCount.record(
        platform=world.platform, country="FR", helplines=["fr-3018"], step="shown", at=NOW + timedelta(days=7)
    )
    cells = sorted(ReachCount.objects.values_list("week", "helpline", "count"))
    assert cells == [
        (date(2026, 11, 23), "fr-119", 3),
        (date(2026, 11, 23), "fr-3018", 3),
        (date(2026, 11, 30), "fr-3018", 1),
    ]
    with pytest.raises(ValueError, match="unknown step"):
        ReachCount.record(platform=world.platform, country="FR", helplines=["fr-3018"], step="liked", at=NOW)


# --- the pages ---


def figures_on(page: str) -> list[tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]]:
    """For each chart with a table on the page: (its bars' values, its table's cells), keyed alike."""
    found = []
    for match in re.finditer(r'(<svg [^>]*id="(?P<id>[^"]+)".*?</svg>)', page, re.S):
        chart_id = match.group("id")
        root = ET.fromstring(match.group(1))  # noqa: S314 - our own page
        bars = {}
        for element in root.iter():
            if element.get("data-label") is not None:
                value = element.get("data-value") or "< 10"
                bars[(html.unescape(element.get("data-label", "")), element.get("data-series", ""))] = value
        table = re.search(rf'<table class="figure-table" data-chart="{chart_id}">(.*?)</table>', page, re.S)
        assert table, f"no table beside {chart_id}"
        headers = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', table.group(1))]
        cells = {}
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table.group(1), re.S):
            label = html.unescape(re.search(r'<th scope="row">(.*?)</th>', row).group(1))  # type: ignore[union-attr]
            values = [html.unescape(v) for v in re.findall(r"<td>(.*?)</td>", row)]
            for header, value in zip(headers[1:], values, strict=True):
                cells[(label, header if len(values) > 1 else "")] = value
        found.append((bars, cells))
    return found


def test_the_lead_sees_charts_that_say_what_their_tables_say(known: World) -> None:
    page = signed_in(known.lead.user).get("/moderation/figures/").content.decode()
    pairs = figures_on(page)
    assert len(pairs) == 3  # per day, overdue now, the funnel's totals
    for bars, cells in pairs:
        drawn = {k: v for k, v in cells.items() if v != "0" or k in bars}
        assert bars == {k: v for k, v in drawn.items() if k in bars}
        assert set(bars) <= set(cells)
    assert "Figures for Sunny Social" in page
    assert 'aria-current="page">Figures</a>' in page
    assert "5 h 30 min" in page  # the median of 1 to 10 hours


def test_the_pages_are_walled_by_role(known: World) -> None:
    assert signed_in(known.moderator.user).get("/moderation/figures/").status_code == 403
    assert "/moderation/figures/" not in signed_in(known.moderator.user).get("/moderation/").content.decode()
    assert signed_in(known.counsellor.user).get("/console/figures/").status_code == 403
    assert Client().get("/moderation/figures/").status_code == 302
    french = signed_in(known.lead.user, "fr").get("/moderation/figures/?from=2026-13-01").content.decode()
    assert "Chiffres pour Sunny Social" in french
    assert "La date de début n&#x27;est pas une date" in french or "La date de début n'est pas une date" in french


def test_the_supervisor_sees_small_cells_as_less_than_ten(world: World) -> None:
    shared_cases(world, 11)
    shared_cases(world, 2, category="threat", prefix="t")
    from relais.tenants.services import add_staff

    supervisor, _ = add_staff(
        username="sup", helpline=world.helpline, role="supervisor", password="a long passphrase x"
    )
    response = signed_in(supervisor.user).get("/console/figures/")
    assert response.status_code == 200
    page = response.content.decode()
    pairs = figures_on(page)
    assert len(pairs) == 4  # status, category, escalations, funnel totals
    _, status_cells = pairs[0]
    assert status_cells[("New", "")] == "13"
    category_bars, category_cells = pairs[1]
    assert category_cells == {("Harassment", ""): "11", ("Threats", ""): "< 10"}
    assert category_bars == category_cells
    assert ">2<" not in page
