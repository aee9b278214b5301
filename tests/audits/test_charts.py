"""The summary's charts are accessible SVG that a strict CSP allows, and never draw a hidden figure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from audits.summaries.charts import actions_chart, grade_chart, trend_chart, trend_points

SVG = "{http://www.w3.org/2000/svg}"


def published() -> dict[str, Any]:
    """A theme as suppress_content publishes it: 1 outstanding hidden, and 8 requires improvement with it."""
    return {
        "slug": "voice-of-the-child",
        "name": "Voice of the child",
        "grades": {"outstanding": None, "good": 10, "requires_improvement": None, "inadequate": 0},
        "trend": [
            {
                "audit": "MACFA 31",
                "good_or_better": 11,
                "findings": 19,
                "good_share": 57.9,
                "benchmarks": [
                    {
                        "audit": "MACFA 14",
                        "good_or_better": None,
                        "findings": None,
                        "good_share": None,
                        "change": None,
                        "direction": None,
                    }
                ],
            }
        ],
    }


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def texts(svg: ET.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


def bar_labels(svg: ET.Element) -> list[tuple[str, str]]:
    """(series label, value label) pairs: each bar's label and the text printed beside it."""
    values = texts(svg)
    return list(zip(values[0::2], values[1::2], strict=True))


@pytest.fixture
def theme() -> dict[str, Any]:
    return published()


def test_grade_chart_is_an_image_with_a_title_and_a_description_of_the_figures(theme: dict[str, Any]) -> None:
    svg = parse(grade_chart([theme], chart_id="grades-voice"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "grades-voice-title grades-voice-desc"
    assert svg.find(f"{SVG}title").text == "Agreed findings by grade, for each theme"  # type: ignore[union-attr]
    desc = svg.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Voice of the child: outstanding [c], good 10, requires improvement [c], inadequate 0" in desc
    assert "withheld to protect children's confidentiality" in desc


def test_each_bar_is_labelled_and_a_hidden_figure_is_marked_not_drawn(theme: dict[str, Any]) -> None:
    svg = parse(grade_chart([theme], chart_id="g"))
    assert bar_labels(svg) == [
        ("Outstanding", "[c]"),
        ("Good", "10"),
        ("Requires improvement", "[c]"),
        ("Inadequate", "0"),
    ]
    # One bar only: the 10. A hidden figure has no bar whose length would give it away, and a zero has none.
    assert len(svg.findall(f"{SVG}g/{SVG}rect")) == 1


def test_series_differ_by_pattern_as_well_as_colour() -> None:
    themes = [
        {
            **published(),
            "grades": {k: 10 for k in ("outstanding", "good", "requires_improvement", "inadequate")},
        }
    ]
    svg = parse(grade_chart(themes, chart_id="g"))
    patterns = svg.findall(f"{SVG}defs/{SVG}pattern")
    assert len(patterns) == 4
    fills = [rect.get("fill") for rect in svg.findall(f"{SVG}g/{SVG}rect")]
    assert fills == [f"url(#{p.get('id')})" for p in patterns]
    marks = {ET.tostring(p).split(b"/>", 1)[1] for p in patterns}
    assert len(marks) == 4  # four different marks over the colours, not only four colours


def test_charts_use_no_style_and_no_script_and_scale_with_the_page(theme: dict[str, Any]) -> None:
    markup = grade_chart([theme], chart_id="g") + str(trend_chart([theme], chart_id="t"))
    assert "style" not in markup and "<script" not in markup and "on" + "click" not in markup
    for svg in (parse(grade_chart([theme], chart_id="g")), parse(str(trend_chart([theme], chart_id="t")))):
        assert svg.get("width") == "100%" and re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox") or "")
        assert not any(element.get("style") for element in svg.iter())


def test_ids_are_prefixed_by_the_chart_so_two_charts_share_a_page(theme: dict[str, Any]) -> None:
    ids = [
        element.get("id")
        for markup in (grade_chart([theme], chart_id="first"), grade_chart([theme], chart_id="second"))
        for element in parse(markup).iter()
        if element.get("id")
    ]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(("first-", "second-")) for i in ids)  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        grade_chart([theme], chart_id='x" onload="alert(1)')


def test_names_are_escaped() -> None:
    theme = {**published(), "name": "Drift & delay <b>"}
    markup = grade_chart([theme, theme], chart_id="g")
    assert "Drift &amp; delay &lt;b&gt;" in markup
    assert parse(markup).find(f"{SVG}g") is not None


def test_trend_chart_shows_each_audit_in_order_with_a_hidden_share_marked(theme: dict[str, Any]) -> None:
    assert [audit for audit, _, _ in trend_points(theme)] == ["MACFA 14", "MACFA 31"]
    svg = parse(str(trend_chart([theme], chart_id="t")))
    assert bar_labels(svg) == [("MACFA 14", "[c]"), ("MACFA 31", "57.9%")]
    assert "MACFA 14 [c], MACFA 31 57.9%" in (svg.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]


def test_no_trend_chart_without_benchmarks(theme: dict[str, Any]) -> None:
    assert trend_chart([{**theme, "trend": []}]) is None


def test_actions_chart_labels_every_measure_of_every_agency() -> None:
    rows = [
        {"agency": "Police", "raised": 12, "completed": None, "verified": None, "overdue": 6},
        {"agency": "Children's social care", "raised": 20, "completed": 9, "verified": 7, "overdue": 0},
    ]
    svg = parse(str(actions_chart(rows, chart_id="a")))
    assert "Police" in texts(svg) and "Children's social care" in texts(svg)
    desc = svg.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Police: raised 12, completed [c], verified [c], overdue 6" in desc
    assert actions_chart([]) is None
