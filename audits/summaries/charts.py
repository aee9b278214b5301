"""Charts of a summary as accessible SVG, drawn on the server from the (suppressed) content.

Each chart is a string of SVG markup that works on a page under a strict Content Security Policy and in the PDF:
- ``role="img"`` with a ``<title>`` and a ``<desc>`` that says in a sentence what the bars show, so a screen reader
  user gets the figures without the picture (the data table under each chart gives them too);
- every bar is labelled with its series and its value, and a hidden figure is labelled ``[c]`` and drawn as no bar
  at all: its length would give the number away;
- series differ by an SVG ``<pattern>`` as well as by colour, so nothing rests on colour alone (or on a colour
  printer);
- presentation attributes only (``fill=``, ``stroke=``, ``font-size=``): no ``style`` attribute or element, which a
  CSP without 'unsafe-inline' for styles would block; no script;
- every id starts with the chart's id, so several charts can share a page;
- a viewBox and ``width="100%"``, so a chart scales down to a 375 px screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from audits.summaries.suppression import SUPPRESSED_MARK, shown

GRADES = (
    ("outstanding", "Outstanding"),
    ("good", "Good"),
    ("requires_improvement", "Requires improvement"),
    ("inadequate", "Inadequate"),
)
ACTION_MEASURES = (("raised", "Raised"), ("completed", "Completed"), ("verified", "Verified"), ("overdue", "Overdue"))

# GOV.UK Design System colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
GREEN, BLUE, PURPLE, RED, DARK_GREY, BLACK = "#00703c", "#1d70b8", "#4c2c92", "#d4351c", "#505a5f", "#0b0c0c"
# (colour, marks drawn over it in white): solid, diagonal lines, dots, cross-hatch.
SWATCHES = (
    (GREEN, ""),
    (BLUE, '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#ffffff" stroke-width="1.5"/>'),
    (PURPLE, '<circle cx="4" cy="4" r="1.6" fill="#ffffff"/>'),
    (RED, '<path d="M0,0 l8,8 M8,0 l-8,8" stroke="#ffffff" stroke-width="1.2"/>'),
)

WIDTH = 480
LABEL_WIDTH = 160  # series labels, left of the bars
BAR_AREA = 250  # room for the longest bar; its value label goes after it
BAR_HEIGHT = 16
BAR_GAP = 6
GROUP_HEADING = 24
GROUP_GAP = 12
FONT_SIZE = 12
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden by the disclosure rule
    text: str  # the value as printed beside the bar


@dataclass(frozen=True)
class Group:
    heading: str
    bars: Sequence[Bar]


def grade_chart(themes: Sequence[dict[str, Any]], *, chart_id: str = "grades") -> SafeString | None:
    """Agreed findings by grade, one group of four bars for each theme."""
    groups = [
        Group(theme["name"], [Bar(label, theme["grades"][key], shown(theme["grades"][key])) for key, label in GRADES])
        for theme in themes
    ]
    sentences = [
        f"{theme['name']}: " + ", ".join(f"{label.lower()} {shown(theme['grades'][key])}" for key, label in GRADES)
        for theme in themes
    ]
    return _bar_chart(
        chart_id,
        title="Agreed findings by grade, for each theme",
        desc=_describe("Number of agreed findings given each grade.", sentences, groups),
        groups=groups,
        scale=_largest(groups),
        swatch_of=_by_position([label for _, label in GRADES]),
    )


def trend_points(theme: dict[str, Any]) -> list[tuple[str, float | None, int | None]]:
    """The theme's audits in order, each once: (reference, share good or better, findings)."""
    points: dict[str, tuple[float | None, int | None]] = {}
    for entry in theme["trend"]:
        for benchmark in entry["benchmarks"]:
            points.setdefault(benchmark["audit"], (benchmark["good_share"], benchmark["findings"]))
        points.setdefault(entry["audit"], (entry["good_share"], entry["findings"]))
    return [(audit, *points[audit]) for audit in sorted(points, key=_reference_order)]


def trend_chart(themes: Sequence[dict[str, Any]], *, chart_id: str = "trend") -> SafeString | None:
    """Share of agreed findings graded good or better, audit by audit, for each theme compared with earlier audits."""
    compared = [theme for theme in themes if theme["trend"]]
    if not compared:
        return None
    groups = [
        Group(theme["name"], [Bar(audit, share, _percent(share)) for audit, share, _ in trend_points(theme)])
        for theme in compared
    ]
    sentences = [f"{group.heading}: " + ", ".join(f"{bar.label} {bar.text}" for bar in group.bars) for group in groups]
    latest = {group.bars[-1].label for group in groups}
    return _bar_chart(
        chart_id,
        title="Findings graded good or better, compared with earlier audits",
        desc=_describe("Share of agreed findings graded good or outstanding in each audit.", sentences, groups),
        groups=groups,
        scale=100.0,
        # The audit being compared (the latest) stands out; its benchmarks share one pattern.
        swatch_of=lambda bar: SWATCHES[1] if bar.label in latest else (DARK_GREY, SWATCHES[2][1]),
    )


def actions_chart(rows: Sequence[dict[str, Any]], *, chart_id: str = "actions") -> SafeString | None:
    """Actions raised, completed, verified and overdue, one group of four bars for each agency."""
    if not rows:
        return None
    groups = [
        Group(row["agency"], [Bar(label, row[key], shown(row[key])) for key, label in ACTION_MEASURES]) for row in rows
    ]
    sentences = [
        f"{row['agency']}: " + ", ".join(f"{label.lower()} {shown(row[key])}" for key, label in ACTION_MEASURES)
        for row in rows
    ]
    return _bar_chart(
        chart_id,
        title="Actions by agency",
        desc=_describe("Number of actions each agency was given, and where they stand.", sentences, groups),
        groups=groups,
        scale=_largest(groups),
        swatch_of=_by_position([label for _, label in ACTION_MEASURES]),
    )


def _describe(opening: str, sentences: list[str], groups: Sequence[Group]) -> str:
    hidden = any(bar.value is None for group in groups for bar in group.bars)
    note = f" {SUPPRESSED_MARK} marks a figure withheld to protect children's confidentiality." if hidden else ""
    return f"{opening} {'. '.join(sentences)}.{note}"


def _largest(groups: Sequence[Group]) -> float:
    return max((bar.value for group in groups for bar in group.bars if bar.value), default=1.0)


def _by_position(labels: list[str]) -> Callable[[Bar], tuple[str, str]]:
    return lambda bar: SWATCHES[labels.index(bar.label) % len(SWATCHES)]


def _percent(share: float | None) -> str:
    return SUPPRESSED_MARK if share is None else f"{share:.1f}%"


def _reference_order(reference: str) -> tuple[int, str]:
    number = reference.split()[-1] if reference.split() else ""
    return (int(number) if number.isdigit() else 0, reference)


def _bar_chart(
    chart_id: str,
    *,
    title: str,
    desc: str,
    groups: Sequence[Group],
    scale: float,
    swatch_of: Callable[[Bar], tuple[str, str]],
) -> SafeString | None:
    """The chart, or None when it would draw no bar: every figure hidden or zero says nothing the table does not."""
    if not ID_PATTERN.match(chart_id):
        raise ValueError(f"A chart id must be a plain identifier, not {chart_id!r}.")
    if not any(bar.value for group in groups for bar in group.bars):
        return None
    patterns: dict[tuple[str, str], str] = {}
    body: list[str] = []
    y = 0
    for group in groups:
        if len(groups) > 1:  # a chart of one group sits under a heading that names it already
            y += GROUP_HEADING
            body.append(_text(0, y - 8, group.heading, bold=True))
        else:
            y += BAR_GAP
        for bar in group.bars:
            swatch = swatch_of(bar)
            pattern_id = patterns.setdefault(swatch, f"{chart_id}-pattern-{len(patterns) + 1}")
            middle = y + BAR_HEIGHT / 2 + FONT_SIZE / 3
            body.append(_text(LABEL_WIDTH - 8, middle, bar.label, anchor="end"))
            end: float = LABEL_WIDTH
            if bar.value:
                length = max(BAR_AREA * bar.value / scale, 1.0) if scale else 0.0
                body.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                    f'fill="url(#{pattern_id})" stroke="{BLACK}" stroke-width="0.5"/>'
                )
                end = LABEL_WIDTH + length
            body.append(_text(end + 6, middle, bar.text, bold=bar.value is None))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    defs = "".join(
        f'<pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
        for (colour, marks), pattern_id in patterns.items()
    )
    height = max(y, GROUP_HEADING)
    return mark_safe(  # noqa: S308 - every text in the SVG goes through escape() or quoteattr() (_element, _text)
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" class="macfa-chart">'
        f"{_element('title', f'{chart_id}-title', title)}{_element('desc', f'{chart_id}-desc', desc)}"
        f"<defs>{defs}</defs>"
        f'<g font-family="Arial, Helvetica, sans-serif" font-size="{FONT_SIZE}" fill="{BLACK}">{"".join(body)}</g>'
        "</svg>"
    )


def _element(tag: str, element_id: str, text: str) -> str:
    return f"<{tag} id={quoteattr(element_id)}>{escape(text)}</{tag}>"


def _text(x: float, y: float, text: str, *, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{weight}>{escape(text)}</text>'
