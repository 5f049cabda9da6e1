"""A DSA transparency report (Arts 15 and 24) as rows laid out by the sections of the Commission's
harmonised quantitative template (Implementing Regulation (EU) 2024/2835, Annex I, Part II, point 1).

Pure: the counts come in (relais/moderation/transparency_counts.py reads them), rows and CSV come out, so the
page, the CSV download and `relais transparency report` print the same cells.

What was verified, and what was not (tests/data/dsa-2024-2835/README.md, ADR 0039): the **section codes
and titles** below are the annex's, read from its table of contents; the **row and column labels of the
Commission's CSV parts were not found** in what could be read. So no row here claims a template label: each
row's `field` quotes the DSA article that asks for the figure (Arts 15(1), 23, 24(1)), and its `breakdown`
uses the Transparency Database's keys (STATEMENT_CATEGORY_…, SOURCE_…, DECISION_GROUND_…), which the
Commission aligned with the regulation's data categories on 1 July 2025. What Relais cannot know is a row
with no value and a reason (`not_recorded`, `not_applicable`): never a zero it did not count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from relais import figures
from relais.moderation import statement_of_reasons as sor

TEMPLATE = "Commission Implementing Regulation (EU) 2024/2835, Annex I, Part II, 1. Quantitative template"
CSV_HEADER = ("section", "section_title", "field", "breakdown", "value", "note")

NOT_RECORDED = "not_recorded"
"""Relais does not hold the facts this row counts (they live in the platform's other systems)."""
NOT_APPLICABLE = "not_applicable"
"""The obligation is not the platform's unless it is designated a very large online platform (Art. 42)."""
SMALL = "fewer_than_10"
"""A time over fewer than 10 items: not published, one slow case could be recognised (ADR 0038)."""
RECOVERABLE = "hidden_count_recoverable"
"""On a total: exactly one of its breakdowns is "< 10", so that count is the total minus the others. Relais
does not hide a second cell (the figures are legal ones); the person publishing decides."""
TOTAL_OF = {"notices_by_source": "notices", "actions_by_category": "actions_by_ground"}
"""Breakdowns whose total is another figure's (the same notices, the same actions), not repeated."""


@dataclass(frozen=True)
class Section:
    code: str
    title: str


SECTIONS: tuple[Section, ...] = (
    Section("1.1", "Report identification"),
    Section("1.2.1", "Member State orders to act against illegal content"),
    Section("1.2.2", "Member State orders to provide information"),
    Section("1.3", "Article 15(1)(b). Notices submitted in accordance with article 16 of Regulation (EU) 2022/2065"),
    Section("1.4", "Article 15(1)(c). Meaningful and comprehensible information on own-initiative content moderation"),
    Section(
        "1.5.1",
        "Internal complaints mechanism, out-of-court dispute settlement bodies and suspensions imposed on "
        "repeated offenders",
    ),
    Section(
        "1.6",
        "Article 15(1)(b)(c)(e) and Article 42(2)(c). Use of automated means for content moderation and "
        "indicators of accuracy",
    ),
    Section("1.7", "Articles 42(2)(a) and 42(2)(b). Human resources dedicated to content moderation"),
    Section("1.8", "Article 42(3)."),
)
"""The annex's quantitative sections holding figures, in its order (1.2.3 and 1.3.1, "contextual information",
are free text and not counted). 1.8's title is cut after "Article 42(3)." in the source read: the rest is
left out rather than guessed."""
TITLES = {s.code: s.title for s in SECTIONS}

FIELDS: dict[str, str] = {
    "provider": "Name of the provider of the online platform",
    "period_start": "First day of the reporting period",
    "period_end": "Last day of the reporting period",
    "orders_to_act": "Orders to act against illegal content (Art. 9)",
    "orders_to_inform": "Orders to provide information (Art. 10)",
    "notices": "Number of notices submitted in accordance with Article 16, by type of alleged illegal content",
    "notices_by_source": "Number of notices, of which submitted by trusted flaggers",
    "notices_not_processed": "Notices not processed: notifier suspended (Art. 23(2))",
    "actions_by_ground": "Action taken pursuant to the notices, on the basis of the law or the terms and conditions",
    "actions_by_category": "Action taken pursuant to the notices, by type of content",
    "no_action": "Notices decided without action",
    "automated": "Number of notices processed by using automated means",
    "median_time": "Median time needed for taking the action (hours)",
    "own_initiative": "Content moderation engaged in at the provider's own initiative",
    "complaints": "Number of complaints received through the internal complaint-handling system (Art. 20)",
    "complaint_decisions": "Decisions taken in respect of those complaints",
    "complaints_open": "Complaints not yet decided at the end of the period",
    "complaint_median_time": "Median time needed for taking those decisions (hours)",
    "out_of_court": "Disputes submitted to out-of-court dispute settlement bodies (Art. 21)",
    "suspensions_illegal": "Suspensions for the provision of manifestly illegal content (Art. 23(1))",
    "suspensions_notices": "Suspensions for the submission of manifestly unfounded notices (Art. 23(2))",
    "suspensions_complaints": "Suspensions for the submission of manifestly unfounded complaints (Art. 23(2))",
    "accuracy": "Accuracy, precision and recall of the automated means",
    "human_resources": "Human resources dedicated to content moderation",
    "article_42_3": "Article 42(3)",
}
"""Each row's words, from the DSA article asking for the figure (not the template's own labels: see above)."""

SOURCES = {
    "article_16": "SOURCE_ARTICLE_16",
    "trusted_flagger": "SOURCE_TRUSTED_FLAGGER",
    "other_notification": "SOURCE_TYPE_OTHER_NOTIFICATION",
}
"""A notice's source in the Transparency Database's words (the keys a statement of reasons uses)."""
GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
AUTOMATED = ("AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY")
APPELLANTS = ("reporter", "affected_user")
COMPLAINT_OUTCOMES = ("upheld", "reversed")


NO_TIME = figures.Durations((), 0, None, None)


@dataclass(frozen=True)
class StatementCounts:
    """Statements of reasons (Art. 24(5)) of the period's restrictions, and where each stands with the
    Transparency Database. Not a section of the template: shown beside it."""

    total: int = 0
    submitted: int = 0
    waiting: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Counts:
    """What the database says of one platform over one period; every mapping's missing key is a zero."""

    provider: str
    first: date
    last: date
    notices: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(source, Relais report category) → notices received in the period."""
    not_processed: int = 0
    actions: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(decision ground, statement category) → restrictions decided in the period (first decisions)."""
    no_action: int = 0
    automated: Mapping[str, int] = field(default_factory=dict)
    """AUTOMATED_DECISION_… → restrictions whose statement says so."""
    time_to_action: figures.Durations = NO_TIME
    time_to_action_by_source: tuple[figures.Durations, ...] = ()
    """key (source,): receipt to first decision, decided in the period."""
    complaints: Mapping[str, int] = field(default_factory=dict)
    """appellant → complaints received in the period."""
    complaint_decisions: Mapping[str, int] = field(default_factory=dict)
    """upheld / reversed → complaints decided in the period."""
    complaints_open: int = 0
    complaint_time: figures.Durations = NO_TIME
    statements: StatementCounts = field(default_factory=StatementCounts)


@dataclass(frozen=True)
class Row:
    section: str
    field: str
    """A key of FIELDS (the page translates it; the CSV writes FIELDS' English)."""
    breakdown: str = ""
    """"" for a total, else the Transparency Database key (or Relais's word) it is broken down by."""
    value: str = ""
    note: str = ""

    @property
    def cells(self) -> tuple[str, str, str, str, str, str]:
        return (self.section, TITLES[self.section], FIELDS[self.field], self.breakdown, self.value, self.note)


def reporting_periods(today: date) -> list[tuple[date, date]]:
    """The last whole periods a report covers: the calendar year (every provider's yearly report) and the
    half-year (1 January to 30 June, 1 July to 31 December: the very large platforms' six-monthly one)."""
    year = (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if today.month > 6:
        half = (date(today.year, 1, 1), date(today.year, 6, 30))
    else:
        half = (date(today.year - 1, 7, 1), date(today.year - 1, 12, 31))
    return [year, half]


def category_of(report_category: str) -> str:
    """A Relais report category in the template's types of content: the statement category it suggests."""
    return sor.SUGGESTED.get(report_category, sor.SUGGESTED["other"])[0]


def _count(section: str, key: str, value: int, breakdown: str = "") -> Row:
    return Row(section, key, breakdown, figures.cell_text(value))


def _time(section: str, key: str, durations: figures.Durations, breakdown: str = "") -> Row:
    if not durations.published or durations.median_hours is None:
        return Row(section, key, breakdown, "", SMALL if durations.count else "")
    return Row(section, key, breakdown, f"{durations.median_hours:.1f}")


def _by(section: str, key: str, counts: Mapping[str, int], order: Iterable[str]) -> list[Row]:
    """The total, then one row per key in `order` (zeros included: a published zero names nobody)."""
    order = list(order)
    rows = [_count(section, key, sum(counts.values()))]
    rows += [_count(section, key, counts.get(k, 0), k) for k in order]
    rows += [_count(section, key, n, k) for k, n in sorted(counts.items()) if k not in order]
    return rows


def _missing(section: str, key: str, why: str) -> Row:
    return Row(section, key, "", "", why)


def rows(counts: Counts) -> list[Row]:
    """The report, section by section in the template's order."""
    by_category: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for (source, category), n in counts.notices.items():
        by_category[category_of(category)] = by_category.get(category_of(category), 0) + n
        by_source[SOURCES.get(source, source)] = by_source.get(SOURCES.get(source, source), 0) + n
    by_ground: dict[str, int] = {}
    action_categories: dict[str, int] = {}
    for (ground, category), n in counts.actions.items():
        by_ground[ground] = by_ground.get(ground, 0) + n
        action_categories[category] = action_categories.get(category, 0) + n
    categories = sorted(sor.CATEGORIES)
    out = [
        Row("1.1", "provider", "", counts.provider),
        Row("1.1", "period_start", "", counts.first.isoformat()),
        Row("1.1", "period_end", "", counts.last.isoformat()),
        _missing("1.2.1", "orders_to_act", NOT_RECORDED),
        _missing("1.2.2", "orders_to_inform", NOT_RECORDED),
        *_by("1.3", "notices", by_category, categories),
        *_by("1.3", "notices_by_source", by_source, SOURCES.values())[1:],
        _count("1.3", "notices_not_processed", counts.not_processed),
        *_by("1.3", "actions_by_ground", by_ground, GROUNDS),
        *_by("1.3", "actions_by_category", action_categories, categories)[1:],
        _count("1.3", "no_action", counts.no_action),
        *_by("1.3", "automated", dict(counts.automated), AUTOMATED),
        _time("1.3", "median_time", counts.time_to_action),
        *(_time("1.3", "median_time", d, SOURCES.get(d.key[0], d.key[0])) for d in counts.time_to_action_by_source),
        _missing("1.4", "own_initiative", NOT_RECORDED),
        *_by("1.5.1", "complaints", counts.complaints, APPELLANTS),
        *_by("1.5.1", "complaint_decisions", counts.complaint_decisions, COMPLAINT_OUTCOMES),
        _count("1.5.1", "complaints_open", counts.complaints_open),
        _time("1.5.1", "complaint_median_time", counts.complaint_time),
        _missing("1.5.1", "out_of_court", NOT_RECORDED),
        _missing("1.5.1", "suspensions_illegal", NOT_RECORDED),
        _missing("1.5.1", "suspensions_notices", NOT_RECORDED),
        _missing("1.5.1", "suspensions_complaints", NOT_RECORDED),
        _missing("1.6", "accuracy", NOT_RECORDED),
        _missing("1.7", "human_resources", NOT_APPLICABLE),
        _missing("1.8", "article_42_3", NOT_APPLICABLE),
    ]
    return flag_recoverable(out)


def flag_recoverable(report: list[Row]) -> list[Row]:
    """Mark each total from which a hidden count can be worked out (complementary disclosure)."""
    groups: dict[tuple[str, str], int] = {}
    for r in report:
        if r.breakdown:
            key = (TOTAL_OF.get(r.field, r.field), r.field)
            groups[key] = groups.get(key, 0) + (r.value == figures.cell_text(1))  # "< 10"
    exposed = {total for (total, _), n in groups.items() if n == 1}
    return [
        Row(r.section, r.field, r.breakdown, r.value, RECOVERABLE)
        if not r.breakdown and r.field in exposed and r.value.isdigit() and r.value != "0" and not r.note
        else r
        for r in report
    ]


def to_csv(report: Iterable[Row]) -> str:
    """One line per row, the columns of CSV_HEADER; RFC 4180 quoting, CRLF line ends (Python's csv default)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(r.cells for r in report)
    return out.getvalue()


def to_text(report: Iterable[Row]) -> str:
    """For a terminal: a heading per section, then `field [breakdown]: value (note)`."""
    lines: list[str] = []
    section = ""
    for r in report:
        if r.section != section:
            section = r.section
            lines += ["" if lines else f"{TEMPLATE}", f"{section} {TITLES[section]}"]
        label = FIELDS[r.field] + (f" [{r.breakdown}]" if r.breakdown else "")
        value = r.value or "—"
        lines.append(f"  {label}: {value}" + (f" ({r.note})" if r.note else ""))
    return "\n".join(lines) + "\n"
