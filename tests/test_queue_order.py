"""The queue ordered and paged in SQL is priority.py's order (ADR 0014).

The order is a pure function (priority.queue_key); the database orders by the stored key `queue_rank`, then
`received_at`, then the id, a page at a time. These tests generate notices with every combination of the
facts, many received at the same instant (ties), some in the future (clock skew: no time used yet), decided
and suspended ones and another platform's, then read the whole queue page by page, through the service, the
API (cursor in `Next-Cursor`) and the console (`?after=`), and compare with sorting the same notices in Python.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from relais.moderation import priority, services
from relais.moderation.models import Notice, NoticeStatus, Source
from relais.tenants.models import Platform
from relais.tenants.services import add_helpline, add_moderator, add_platform

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)
CATEGORIES = (*priority.SEVERITY, "not_a_known_category")


# --- the pure rule ---


def facts(trusted: bool, immediate: bool, age: int | None, category: str, at: datetime = NOW) -> priority.NoticeFacts:
    return priority.NoticeFacts(
        received_at=at, category=category, trusted_flagger=trusted, danger_immediate=immediate, reporter_age=age
    )


ALL_FACTS = [facts(*combo) for combo in product((True, False), (True, False), (None, 12, 17, 18, 40), CATEGORIES)]


def test_queue_rank_orders_as_the_first_four_keys_of_the_rank_and_fixes_the_sla_class() -> None:
    for a, b in product(ALL_FACTS, repeat=2):
        rank_a, rank_b = priority.priority(a, NOW).rank[:4], priority.priority(b, NOW).rank[:4]
        assert (priority.queue_rank(a) < priority.queue_rank(b)) == (rank_a < rank_b), (a, b)
        if priority.queue_rank(a) == priority.queue_rank(b):
            assert priority.sla_class(a) == priority.sla_class(b)


def test_within_a_rank_the_first_received_has_used_the_most_of_its_time() -> None:
    for f in ALL_FACTS:
        times = [NOW - timedelta(hours=h) for h in (300, 72, 30, 1, 0.01, 0)] + [NOW + timedelta(minutes=5)]
        used = [priority.priority(facts_at(f, t), NOW).sla_used for t in times]
        assert used == sorted(used, reverse=True)


def facts_at(f: priority.NoticeFacts, at: datetime) -> priority.NoticeFacts:
    return priority.NoticeFacts(at, f.category, f.trusted_flagger, f.danger_immediate, f.reporter_age)


# --- the database's order, page by page ---


def generated(platform: Platform, count: int, seed: int) -> list[Notice]:
    """`count` notices with random facts; a third share their instant with another, a few are in the future."""
    rng = random.Random(seed)  # noqa: S311 - test data
    instants = [NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 5)) for _ in range(count // 3)]
    instants += [NOW + timedelta(seconds=s) for s in (1, 30)]
    notices = []
    for _ in range(count):
        at = rng.choice(instants) if rng.random() < 0.5 else NOW - timedelta(seconds=rng.randrange(0, 400_000))
        trusted = rng.random() < 0.2
        notices.append(
            services.ranked(
                Notice(
                    platform=platform,
                    source=Source.TRUSTED_FLAGGER if trusted else rng.choice([Source.ARTICLE_16, "other_notification"]),
                    notifier=f"reporter:u-{rng.randrange(5)}",
                    category=rng.choice(CATEGORIES),
                    danger_immediate=rng.random() < 0.15,
                    reporter_age=rng.choice([None, None, 13, 16, 30]),
                    received_at=at,
                    acknowledged_at=at,
                    status=rng.choice(
                        [NoticeStatus.OPEN] * 6 + [NoticeStatus.CLAIMED, NoticeStatus.DECIDED, "suspended"]
                    ),
                )
            )
        )
    return Notice.objects.bulk_create(notices)


def python_order(notices: list[Notice]) -> list[str]:
    waiting = [n for n in notices if n.status in services.OPEN_STATUSES]
    key = {n.id: priority.queue_key(services.facts_of(n), str(n.id), NOW, services.sla()) for n in waiting}
    return [str(n.id) for n in sorted(waiting, key=lambda n: key[n.id])]


@pytest.fixture
def platforms(db: None) -> tuple[Platform, Platform]:
    mine, _ = add_platform(name="Sunny Social", country="IE")
    other, _ = add_platform(name="Other Place", country="FR")
    return mine, other


def test_the_service_pages_the_queue_in_priority_py_order(platforms: tuple[Platform, Platform]) -> None:
    mine, other = platforms
    notices = generated(mine, 400, seed=13)
    generated(other, 50, seed=14)
    expected = python_order(notices)
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = services.queue(mine, NOW, limit=7, after=after)
        seen += [str(item.notice.id) for item in page]
        if len(page) < 7:
            break
        after = services.QueuePosition.of(page[-1].notice)
    assert seen == expected
    first = services.queue(mine, NOW, limit=1)[0]
    assert first.priority == services.priority_of(Notice.objects.get(id=first.notice.id), NOW)


def pages(client: Client, path: str, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a list answer, following `Next-Cursor` (checked against `Link`) until a page is not full."""
    found: list[list[dict[str, Any]]] = []
    url = f"{path}?limit={limit}"
    for _ in range(100):
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        found.append(answer.json())
        cursor = answer.headers.get("Next-Cursor")
        if cursor is None:
            assert len(found[-1]) < limit
            return found
        assert answer.headers["Link"] == f'<{path}?limit={limit}&cursor={cursor}>; rel="next"'
        url = f"{path}?limit={limit}&cursor={cursor}"
    raise AssertionError("more than 100 pages")


def test_the_api_answers_pages_with_a_next_cursor_and_keeps_the_list_shape(
    platforms: tuple[Platform, Platform],
) -> None:
    keyed, key = add_platform(name="Keyed", country="IE")
    notices = generated(keyed, 120, seed=7)
    expected = python_order(notices)
    api = Client(headers={"Authorization": f"Bearer {key}"})
    found = pages(api, "/api/v1/moderation/queue", 25)
    for page in found[:-1]:
        assert page[-1]["cursor"]  # each item's cursor; the last one is the page's Next-Cursor (checked in pages)
    seen = [item["id"] for page in found for item in page]
    assert seen == expected


@pytest.fixture(autouse=True)
def _frozen(settings: Any) -> None:
    """The API and the console read the clock (relais.clock): fixed at NOW, as the Python order is."""
    settings.RELAIS_FAKE_NOW = NOW.isoformat()


def test_a_cursor_the_api_did_not_write_is_a_422_naming_it(platforms: tuple[Platform, Platform]) -> None:
    _, key = add_platform(name="Keyed", country="IE")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    for bad in ("nope", "WzEsMl0", "W1siYSJdXQ", "x" * 301):
        answer = api.get(f"/api/v1/moderation/queue?cursor={bad}")
        assert answer.status_code == 422, (bad, answer.content)
        assert answer.json()["errors"][0]["field"] == "cursor"


def test_the_console_queue_pages_with_a_next_link(platforms: tuple[Platform, Platform]) -> None:
    mine, _ = platforms
    notices = generated(mine, 130, seed=21)
    expected = python_order(notices)
    moderator, _ = add_moderator(username="alex", platform=mine, password="a long moderator passphrase")
    browser = Client()
    browser.force_login(moderator.user)
    seen: list[str] = []
    url = "/moderation/"
    for _ in range(10):
        page = browser.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        seen += re.findall(r'data-notice-id="([0-9a-f-]+)"', html)
        following = re.search(r'href="(\?after=[^"]+)" rel="next"', html)
        if following is None:
            break
        assert "Retour en haut de la file" in html or url == "/moderation/"  # French: the console default
        url = "/moderation/" + following.group(1).replace("&amp;", "&")
    assert seen == expected
    assert len(expected) > 2 * 50
    assert browser.get("/moderation/?after=garbage").status_code == 302


@pytest.mark.usefixtures("platforms")
def test_a_page_of_many_rows_costs_the_queries_a_page_of_three_does() -> None:
    """No query per row (ADR 0014, addendum of 2026-12-04): the rows, their helplines and groups come in one statement, and
    the snippets, track records and pile-ons in one query each however many rows the page has."""
    helpline, _ = add_helpline(name="3018", directory_id="fr-3018", slug="3018")
    _, key = add_platform(name="Keyed", country="IE")
    keyed = Platform.objects.get(slug="keyed")
    moderator, _ = add_moderator(username="alex", platform=keyed, password="a long moderator passphrase")
    browser = Client()
    browser.force_login(moderator.user)
    api = Client(headers={"Authorization": f"Bearer {key}"})

    def queries(count: int, seed: int) -> tuple[int, int]:
        fresh = generated(keyed, count, seed=seed)
        Notice.objects.filter(id__in=[n.id for n in fresh[::2]]).update(helpline=helpline)
        with CaptureQueriesContext(connection) as console:
            assert browser.get("/moderation/").status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/api/v1/moderation/queue?limit=100").status_code == 200
        return len(console), len(listed)

    api.get("/api/v1/moderation/queue")  # the key's first use is recorded once: not a row's cost
    few = queries(3, seed=5)
    many = queries(120, seed=6)
    assert many == few


# --- the other lists that grow: appeals and the helpline's cases, paged the same way ---


NO_ACTION = services.DecisionInput(outcome="no_action", facts="Banter between friends.")


def test_appeals_page_by_keyset_in_the_api_and_the_console(platforms: tuple[Platform, Platform]) -> None:
    keyed, key = add_platform(name="Keyed", country="IE")
    notices = generated(keyed, 40, seed=3)
    actor = services.ModeratorActor.api(keyed, "mod-a")
    appeals = []
    for i, notice in enumerate(n for n in notices if n.status == NoticeStatus.OPEN):
        decision = services.decide(actor=actor, notice=notice, data=NO_ACTION, now=NOW)
        at = NOW + timedelta(minutes=i // 2)  # two by two at the same instant: ties broken by id
        appeals.append(services.appeal(decision=decision, appellant="reporter", reason="It is not banter.", now=at))
    expected = [str(a.id) for a in sorted(appeals, key=lambda a: (a.received_at, str(a.id)))]
    api = Client(headers={"Authorization": f"Bearer {key}"})
    seen = [a["id"] for page in pages(api, "/api/v1/moderation/appeals", 4) for a in page]
    assert seen == expected
    assert api.get("/api/v1/moderation/appeals?cursor=nope").json()["errors"][0]["field"] == "cursor"

    moderator, _ = add_moderator(username="alex", platform=keyed, password="a long moderator passphrase")
    browser = Client()
    browser.force_login(moderator.user)
    html = browser.get("/moderation/appeals/").content.decode()
    assert re.findall(r'data-appeal-id="([0-9a-f-]+)"', html) == expected[:50]
    assert 'rel="next"' not in html or len(expected) >= 50


def test_the_helpline_case_queue_pages_open_urgent_newest_first(platforms: tuple[Platform, Platform]) -> None:
    from relais.handoffs import services as handoffs
    from relais.handoffs.models import Case
    from relais.reports.models import Report
    from tests.test_moderation_console import make_report

    mine, _ = platforms
    line, hkey = add_helpline(name="3018 (e-Enfance)", directory_id="fr-3018", slug="3018")
    rng = random.Random(5)  # noqa: S311 - test data
    for i in range(23):
        report = make_report(mine, f"r{i}", received_at=NOW)
        case, _ = handoffs.share_report(
            platform=mine,
            report=report,
            helpline_id="fr-3018",
            given_at=NOW,
            text_version="fr-2026-11",
            scope=["report"],
            now=NOW,
        )
        Case.objects.filter(pk=case.pk).update(
            status=rng.choice(["new", "in_progress", "escalated", "closed"]),
            urgent=rng.random() < 0.4,
            created_at=NOW - timedelta(hours=rng.randrange(4)),  # ties: broken by id
        )
    cases = list(Case.objects.filter(helpline=line))
    expected = [
        c.code
        for c in sorted(cases, key=lambda c: (c.status != "closed", c.urgent, c.created_at, str(c.id)), reverse=True)
    ]
    assert Report.objects.filter(platform=mine).count() == 23
    api = Client(headers={"Authorization": f"Bearer {hkey}"})
    seen = [c["code"].replace("-", "") for page in pages(api, "/api/v1/helpline/cases", 5) for c in page]
    assert seen == expected
    assert api.get("/api/v1/helpline/cases?cursor=nope").status_code == 422
    from relais.handoffs import views as helpline_views
    from relais.tenants.services import add_staff

    counsellor, _ = add_staff(username="camille", helpline=line, password="a long counsellor passphrase")
    browser = Client()
    browser.force_login(counsellor.user)
    helpline_views.QUEUE_PAGE_SIZE, size = 5, helpline_views.QUEUE_PAGE_SIZE
    try:
        shown: list[str] = []
        url = "/console/"
        for _ in range(20):
            html = browser.get(url).content.decode()
            shown += re.findall(r'data-case-id="([0-9a-f-]+)"', html)
            following = re.search(r'href="(\?after=[^"]+)" rel="next"', html)
            if following is None:
                break
            url = "/console/" + following.group(1).replace("&amp;", "&")
    finally:
        helpline_views.QUEUE_PAGE_SIZE = size
    assert shown == [str(c.id) for c in sorted(cases, key=lambda c: expected.index(c.code))]
