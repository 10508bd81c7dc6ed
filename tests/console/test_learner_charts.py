"""The evidence timeline: where points, the freshness window and now land, and its markup."""

from __future__ import annotations

import re

import pytest

from lrs_bridge.console.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    MIN_R,
    R_SPAN,
    RIGHT,
    TOP,
    WIDTH,
    ChartText,
    EvidencePoint,
    render_timeline,
    timeline,
)

DAY = 86_400_000_000
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z
TEXT = ChartText(
    title="Empathy <evidence>",
    desc="2 evidence & a window",
    now="today",
    window="fresh until",
    empty="no evidence yet",
)
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


def _date(at_us: int) -> str:
    return str((at_us - T0) // DAY)


def test_points_span_the_plot_in_time_order_with_quality_as_height():
    layout = timeline(
        [
            EvidencePoint(at_us=T0, weight=0.4, quality=1.0),
            EvidencePoint(at_us=T0 + 50 * DAY, weight=0.15, quality=0.5),
            EvidencePoint(at_us=T0 + 100 * DAY, weight=1.0, quality=0.0),
        ],
        now_us=T0 + 100 * DAY,
        stale_at_us=None,
        window_start_us=None,
    )
    first, middle, last = layout.points
    # 4 % padding each side of the 100 days: the first point is 4/108 into the plot.
    assert first.x == pytest.approx(LEFT + PLOT_W * 4 / 108, abs=0.01)
    assert middle.x == pytest.approx(LEFT + PLOT_W * 54 / 108, abs=0.01)
    assert last.x == pytest.approx(LEFT + PLOT_W * 104 / 108, abs=0.01)
    assert (first.y, middle.y, last.y) == (TOP, TOP + PLOT_H / 2, TOP + PLOT_H)
    assert (first.r, middle.r, last.r) == (
        pytest.approx(MIN_R + R_SPAN * 0.4),
        pytest.approx(MIN_R + R_SPAN * 0.15),
        MIN_R + R_SPAN,
    )
    assert layout.now_x == last.x
    assert layout.window is None


@pytest.mark.parametrize(
    ("weight", "quality", "radius", "y", "negative"),
    [
        (-0.4, 0.0, MIN_R + R_SPAN * 0.4, TOP + PLOT_H, True),  # a failed attempt
        (2.5, 1.7, MIN_R + R_SPAN, TOP, False),  # out-of-range values are clamped
        (0.0, -0.2, MIN_R, TOP + PLOT_H, False),
    ],
)
def test_radius_and_height_are_clamped_and_failures_marked(weight, quality, radius, y, negative):
    (point,) = timeline(
        [EvidencePoint(at_us=T0, weight=weight, quality=quality)],
        now_us=T0 + 10 * DAY,
        stale_at_us=None,
        window_start_us=None,
    ).points
    assert point.r == pytest.approx(radius)
    assert point.y == y
    assert point.negative is negative


def test_the_window_runs_from_the_last_evidence_to_stale_at_and_widens_the_axis():
    layout = timeline(
        [EvidencePoint(at_us=T0, weight=0.4, quality=0.9)],
        now_us=T0 + 30 * DAY,
        stale_at_us=T0 + 90 * DAY,
        window_start_us=T0,
    )
    # The axis covers evidence, now and stale_at: days 0 … 90, padded by 3.6 days each side.
    assert layout.start_us == T0 - round(90 * DAY * 0.04)
    assert layout.end_us == T0 + 90 * DAY + round(90 * DAY * 0.04)
    assert layout.window is not None
    x0, x1 = layout.window
    assert x0 == layout.points[0].x
    assert x1 == pytest.approx(LEFT + PLOT_W * (90 + 3.6) / 97.2, abs=0.01)
    assert x0 < layout.now_x < x1


def test_an_empty_history_still_draws_an_axis_around_now():
    layout = timeline([], now_us=T0, stale_at_us=None, window_start_us=None)
    assert layout.empty
    assert layout.start_us < T0 < layout.end_us
    assert LEFT < layout.now_x < WIDTH - RIGHT
    assert len(layout.ticks) == 4
    assert all(LEFT < t.x < WIDTH - RIGHT for t in layout.ticks)
    svg = render_timeline(layout, TEXT, chart_id="c1", format_date=_date)
    assert "no evidence yet" in svg
    assert "<circle" not in svg


def test_markup_is_an_accessible_image_with_escaped_text():
    layout = timeline(
        [
            EvidencePoint(at_us=T0, weight=0.4, quality=0.9, label="<b>coached</b>"),
            EvidencePoint(at_us=T0 + DAY, weight=-0.15, quality=0.0, label="failed"),
        ],
        now_us=T0 + 5 * DAY,
        stale_at_us=T0 + 40 * DAY,
        window_start_us=T0 + DAY,
    )
    svg = str(render_timeline(layout, TEXT, chart_id="empathy", format_date=_date))
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert 'aria-labelledby="empathy-title empathy-desc"' in svg
    assert '<title id="empathy-title">Empathy &lt;evidence&gt;</title>' in svg
    assert '<desc id="empathy-desc">2 evidence &amp; a window</desc>' in svg
    assert "&lt;b&gt;coached&lt;/b&gt;" in svg and "<b>" not in svg
    assert len(re.findall(r'<circle class="timeline-point negative"', svg)) == 1
    assert len(re.findall(r"<circle ", svg)) == 2
    assert '<rect class="timeline-window"' in svg
    assert svg.count('class="timeline-label"') == 3 + 4  # quality 0, .5, 1 and four dates
