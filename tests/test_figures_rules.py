"""The dashboards' pure rules, without a database: the period, the small-cell rule, percentiles, the reach
funnel's weeks and cards, and the SVG charts (named, patterned, labelled, and saying what their table says)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from relais import charts, figures
from relais.reports import reach

SVG = "{http://www.w3.org/2000/svg}"
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already the 26th in Paris


def test_small_cells_are_hidden_but_zero_and_ten_are_shown() -> None:
    assert [figures.shown(n) for n in (0, 1, 9, 10, 250)] == [0, None, None, 10, 250]
    assert [figures.cell_text(n) for n in (0, 1, 9, 10, None)] == ["0", "< 10", "< 10", "10", "< 10"]


def test_the_default_period_is_the_last_30_days_to_today_in_the_tenants_zone() -> None:
    period = figures.period(None, None, now=NOW, zone=PARIS)
    assert (period.first, period.last) == (date(2026, 10, 28), date(2026, 11, 26))
    assert len(period.days) == 30
    assert period.start == datetime(2026, 10, 28, tzinfo=PARIS)
    assert period.end == datetime(2026, 11, 27, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026-13-01", None, "from"),
        (None, "tomorrow", "to"),
        ("2026-11-20", "2026-11-01", "from"),
        ("2024-01-01", "2026-01-01", "from"),
    ],
)
def test_a_bad_period_names_its_field(first: str | None, last: str | None, field: str) -> None:
    with pytest.raises(figures.PeriodError) as raised:
        figures.period(first, last, now=NOW, zone=PARIS)
    assert raised.value.field == field


def test_percentiles_are_postgresqls_percentile_cont() -> None:
    assert figures.percentile([], 0.5) is None
    assert figures.percentile([4.0], 0.9) == 4.0
    assert figures.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert figures.percentile([10.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], 0.9) == pytest.approx(9.1)
    assert not figures.durations(("x",), [1.0] * 9).published
    assert figures.durations(("x",), [1.0] * 10).published


def test_a_step_is_counted_in_the_platforms_iso_week() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 30th, 00:30 in Paris
    assert reach.week_of(sunday_night_utc, PARIS) == date(2026, 11, 30)
    assert reach.week_of(sunday_night_utc, ZoneInfo("UTC")) == date(2026, 11, 23)
    assert reach.iso_week(date(2026, 11, 30)) == "2026-W49"
    assert reach.iso_week(date(2026, 12, 28)) == "2026-W53"
    assert reach.zone_named("Not/AZone").key == "UTC"


def test_a_tap_belongs_to_the_helpline_whose_channel_it_was() -> None:
    card = {
        "helplines": [
            {"id": "fr-3018", "channels": [{"id": "fr-3018-phone"}, {"id": "fr-3018-chat"}]},
            {"id": "fr-119", "channels": [{"id": "fr-119-phone"}]},
        ]
    }
    assert reach.helplines_on_card(card) == ["fr-3018", "fr-119"]
    assert reach.helpline_of_channel(card, "fr-119-phone") == "fr-119"
    assert reach.helpline_of_channel(card, "de-nummer-gegen-kummer-phone") is None
    assert reach.helplines_on_card(None) == []


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup


def test_a_bar_chart_is_named_and_labels_every_bar_with_its_value() -> None:
    markup = charts.bars(
        chart_id="c1",
        title="Overdue <now>",
        desc="One bar per class",
        rows=[("Minors", 12), ("Other", 0), ("Rare", None)],
    )
    svg = _svg(markup)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "Overdue <now>"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "One bar per class"  # type: ignore[union-attr]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["Minors", "12", "Other", "0", "Rare", "< 10"]  # direct labels: no colour key needed
    values = {r.get("data-label"): r.get("data-value") for r in svg.iter() if r.get("data-value") is not None}
    assert values == {"Minors": "12", "Other": "0", "Rare": ""}


def test_column_series_differ_by_pattern_and_are_named_in_a_legend() -> None:
    markup = charts.columns(
        chart_id="days",
        title="Per day",
        desc="Received solid, decided hatched",
        labels=["1 Nov", "2 Nov", "3 Nov"],
        series=[charts.Series("Received", (5, 0, 12)), charts.Series("Decided", (3, None, 12))],
    )
    svg = _svg(markup)
    patterns = {p.get("id") for p in svg.iter(f"{SVG}pattern")}
    assert patterns == {"days-hatch", "days-dots"}
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    assert {(b.get("data-series"), b.get("data-pattern")) for b in bars} == {
        ("Received", "solid"),
        ("Decided", "hatch"),
    }
    assert [b.get("fill") for b in bars if b.get("data-series") == "Decided"] == ["url(#days-hatch)"] * 2
    legend = [t.text for g in svg.iter(f"{SVG}g") for t in g.iter(f"{SVG}text")]
    assert legend == ["Received", "Decided"]
    swatches = [r.get("data-pattern") for g in svg.iter(f"{SVG}g") for r in g.iter(f"{SVG}rect")]
    assert swatches == ["solid", "hatch"]


def test_a_figures_table_says_what_its_chart_says() -> None:
    figure = charts.column_figure(
        chart_id="days",
        title="Per day",
        desc="d",
        labels=["1 Nov", "2 Nov"],
        series=[charts.Series("Received", (5, 7)), charts.Series("Decided", (3, 0))],
        first_header="Day",
    )
    assert figure.headers == ("Day", "Received", "Decided")
    assert figure.rows == (("1 Nov", "5", "3"), ("2 Nov", "7", "0"))
    svg = _svg(figure.svg)
    from_chart = {
        (r.get("data-label"), r.get("data-series")): r.get("data-value")
        for r in svg.iter(f"{SVG}rect")
        if r.get("data-value")
    }
    from_table = {
        (row[0], name): value for row in figure.rows for name, value in zip(figure.headers[1:], row[1:], strict=True)
    }
    assert from_chart == from_table


def test_the_axis_top_is_a_round_number() -> None:
    assert [charts.nice_ceiling(n) for n in (0, 1, 3, 10, 11, 99, 101, 4999)] == [1, 1, 5, 10, 20, 100, 200, 5000]


def test_a_chart_refuses_mismatched_data() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        charts.columns(chart_id="x", title="t", desc="d", labels=["a"], series=[charts.Series("s", (1, 2))])
    with pytest.raises(ValueError, match="series"):
        charts.columns(
            chart_id="x", title="t", desc="d", labels=["a"], series=[charts.Series(str(n), (1,)) for n in range(4)]
        )


@pytest.mark.parametrize(
    ("minutes", "step"),
    [(-3, 0), (0, 0), (59, 59), (119, 119), (120, 120), (124, 120), (125, 125), (719, 715), (720, 720), (734, 720),
     (735, 735), (4319, 4305), (4320, 4320), (4379, 4320), (43199, 43140), (43200, 43200), (44639, 43200),
     (44640, 44640)],
)  # fmt: skip
def test_a_decision_time_is_counted_in_its_step(minutes: int, step: int) -> None:
    """To the minute under 2 hours, 5 minutes under 12, 15 minutes under 3 days, the hour under 30, the day beyond."""
    assert figures.duration_bucket(minutes) == step


def test_every_step_is_within_a_small_share_of_the_time_and_whole_hours_are_exact() -> None:
    for minutes in range(1, 60 * 24 * 40):
        assert minutes - figures.duration_bucket(minutes) <= max(0.042 * minutes, 0)
    assert all(figures.duration_bucket(h * 60) == h * 60 for h in range(1, 24 * 30))


def test_percentiles_over_counts_are_percentiles_over_the_values_written_out() -> None:
    samples = [[5], [1, 2], [3, 3, 3, 7], [0, 10, 10, 20, 20, 20, 90], list(range(37)) * 3]
    for values in samples:
        counts: dict[int, int] = {}
        figures.add_counts(counts, {v: values.count(v) for v in set(values)})
        for fraction in (0, 0.1, 0.5, 0.9, 1):
            assert figures.histogram_percentile(counts, fraction) == pytest.approx(
                figures.percentile([float(v) for v in values], fraction)
            )
    assert figures.histogram_percentile({}, 0.5) is None
    assert figures.histogram_percentile({60: 0}, 0.5) is None
    found = figures.durations_counted(("article_16", "threat"), {60: 1, 120: 1, 180: 1})
    assert (found.count, found.median_hours) == (3, 2.0)
    assert found.p90_hours == pytest.approx(2.8)
    with pytest.raises(ValueError, match="between 0 and 1"):
        figures.histogram_percentile({1: 1}, 1.5)
