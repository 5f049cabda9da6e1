"""Charts as server-rendered SVG: no script, no library, readable without colour.

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>`; the page puts a table with the same
numbers beside it (the table is what a screen reader reads). Series differ by pattern — solid, hatched,
dotted — and by a legend naming them, every bar of a bar chart carries its own value as text, so nothing
depends on telling two colours apart (WCAG 1.4.1). Every bar also carries `data-value`: a test checks that
the chart says what the table says.

Pure: strings in, markup out (escaped here, marked safe by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PATTERNS = ("solid", "hatch", "dots")
"""One per series, in order; a chart with more series than patterns is refused."""
INK = "#1d4f91"
"""Dark blue on white: 8.6:1, above the 3:1 WCAG 1.4.11 asks of graphics."""
WIDTH = 400


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int | None, ...]
    """One per label; None: a small cell, not drawn (the table says "< 10")."""


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _defs(chart_id: str) -> str:
    hatch = (
        f'<pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<rect width="2.5" height="6" fill="{INK}"/></pattern>'
    )
    dots = (
        f'<pattern id="{chart_id}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#fff"/><circle cx="2.5" cy="2.5" r="1.4" fill="{INK}"/></pattern>'
    )
    return f"<defs>{hatch}{dots}</defs>"


def _fill(chart_id: str, pattern: str) -> str:
    return INK if pattern == "solid" else f"url(#{chart_id}-{pattern})"


def _head(chart_id: str, title: str, desc: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_attr(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{_attr(chart_id)}-title {_attr(chart_id)}-desc">'
        f'<title id="{_attr(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{_attr(chart_id)}-desc">{escape(desc)}</desc>{_defs(_attr(chart_id))}'
    )


def nice_ceiling(value: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def columns(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], label_every: int = 7
) -> str:
    """Grouped columns, one group per label (a day), one column per series, with a legend on top."""
    if not 1 <= len(series) <= len(PATTERNS):
        raise ValueError(f"1 to {len(PATTERNS)} series")
    if any(len(s.values) != len(labels) for s in series):
        raise ValueError("each series has one value per label")
    height, left, top, bottom = 230, 36, 40, 200
    plot_w = WIDTH - left - 4
    top_value = nice_ceiling(max((v or 0 for s in series for v in s.values), default=0))
    parts = [_head(chart_id, title, desc, height)]
    x = left
    for pattern, one in zip(PATTERNS, series, strict=False):  # the legend: swatch and name
        parts.append(
            f'<g class="chart__legend"><rect x="{x}" y="8" width="14" height="14" fill="{_fill(chart_id, pattern)}" '
            f'stroke="{INK}" data-pattern="{pattern}"/><text x="{x + 20}" y="20" font-size="13">{escape(one.name)}</text></g>'
        )
        x += 20 + 8 * len(one.name) + 16
    for tick in (0, top_value // 2 if top_value >= 2 else None, top_value):
        if tick is None:
            continue
        y = bottom - (bottom - top) * tick / top_value
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#767676" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
        )
    group = plot_w / max(len(labels), 1)
    bar = max(group * 0.8 / len(series), 1)
    for i, label in enumerate(labels):
        gx = left + i * group + group * 0.1
        for j, (pattern, one) in enumerate(zip(PATTERNS, series, strict=False)):
            value = one.values[i]
            if value is None:
                continue
            h = (bottom - top) * value / top_value
            parts.append(
                f'<rect class="chart__bar" x="{gx + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{_fill(chart_id, pattern)}" stroke="{INK}" stroke-width="0.5" '
                f'data-series="{_attr(one.name)}" data-label="{_attr(label)}" data-value="{value}" '
                f'data-pattern="{pattern}"/>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{gx:.1f}" y="{bottom + 16}" font-size="11">{escape(label)}</text>'
                f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#767676"/>'
            )
    parts.append(f'<line x1="{left}" x2="{WIDTH - 4}" y1="{bottom}" y2="{bottom}" stroke="#000"/></svg>')
    return "".join(parts)


def bars(*, chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, int | None]]) -> str:
    """Horizontal bars, one per row: its name above it and its value at its end (direct labels).

    A small cell (None) draws no bar and says "< 10" where the value would be."""
    row_h, top = 40, 4
    height = top + row_h * max(len(rows), 1) + 4
    top_value = nice_ceiling(max((v or 0 for _, v in rows), default=0))
    plot_w = WIDTH - 60
    parts = [_head(chart_id, title, desc, height)]
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text x="0" y="{y + 13}" font-size="13">{escape(label)}</text>')
        if value is None:
            parts.append(
                f'<text x="0" y="{y + 32}" font-size="13" data-label="{_attr(label)}" data-value="">&lt; 10</text>'
            )
            continue
        w = max(plot_w * value / top_value, 1 if value else 0)
        parts.append(
            f'<rect class="chart__bar" x="0" y="{y + 18}" width="{w:.1f}" height="16" fill="{INK}" '
            f'data-label="{_attr(label)}" data-value="{value}" data-pattern="solid"/>'
            f'<text x="{w + 6:.1f}" y="{y + 31}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Figure:
    """A chart and the table that says the same: the page shows both, the table is the accessible one."""

    chart_id: str
    title: str
    svg: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def bar_figure(
    *, chart_id: str, title: str, desc: str, rows: Sequence[tuple[str, int | None]], headers: tuple[str, str]
) -> Figure:
    """Bars and their table: a None value (a small cell) is "< 10" in both."""
    table = tuple((label, "< 10" if value is None else str(value)) for label, value in rows)
    return Figure(chart_id, title, bars(chart_id=chart_id, title=title, desc=desc, rows=rows), headers, table)


def column_figure(
    *, chart_id: str, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], first_header: str
) -> Figure:
    table = tuple(
        (label, *(("< 10" if s.values[i] is None else str(s.values[i])) for s in series))
        for i, label in enumerate(labels)
    )
    svg = columns(chart_id=chart_id, title=title, desc=desc, labels=labels, series=series)
    return Figure(chart_id, title, svg, (first_header, *(s.name for s in series)), table)
