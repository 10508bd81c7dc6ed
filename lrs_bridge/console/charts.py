"""Server-drawn SVG charts for the console: pure functions, no Flask, no I/O.

:func:`timeline` lays out one competency's evidence over time (x: time, y: quality, radius:
the method's weight, hollow for a failed attempt) and the freshness window from the last
evidence up to ``stale_at``; :func:`render_timeline` turns that layout into accessible SVG
(``role="img"`` with ``<title>`` and ``<desc>``). The layout is a value so tests can check
coordinates without parsing markup; the pages put a table beside each chart for screen
readers and for exact figures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

#: Chart size in SVG user units (the CSS scales it to the column width).
WIDTH = 640
HEIGHT = 180
#: Margins: room for the quality axis labels on the left and the dates below.
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
#: Point radius: MIN_R for weight 0, MIN_R + R_SPAN for |weight| >= 1.
MIN_R, R_SPAN = 3.0, 6.0
#: The time span shown when there is nothing to place (no evidence, no stale_at).
EMPTY_SPAN_US = 90 * 86_400_000_000
#: Share of the span added on each side, so points at the ends are not cut.
PAD = 0.04
TICKS = 4


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidencePoint:
    """One evidence row to place."""

    at_us: int
    weight: float
    quality: float
    label: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlacedPoint:
    """A point in SVG coordinates; ``negative`` for a failed attempt (negative weight)."""

    x: float
    y: float
    r: float
    negative: bool
    label: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Tick:
    """A date label on the time axis."""

    x: float
    at_us: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class Timeline:
    """The layout of one evidence timeline."""

    width: int
    height: int
    start_us: int
    end_us: int
    points: tuple[PlacedPoint, ...]
    #: The freshness window as (x from, x to), clipped to the plot; None without stale_at.
    window: tuple[float, float] | None
    now_x: float
    ticks: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        """No evidence to draw."""
        return not self.points


def timeline(
    points: Sequence[EvidencePoint],
    *,
    now_us: int,
    stale_at_us: int | None,
    window_start_us: int | None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Timeline:
    """Place evidence and the freshness window on one time axis that also shows now."""
    moments = [p.at_us for p in points] + [now_us]
    moments += [m for m in (stale_at_us, window_start_us) if m is not None]
    low, high = min(moments), max(moments)
    if high == low:
        low, high = now_us - EMPTY_SPAN_US, now_us + EMPTY_SPAN_US // 3
    pad = round((high - low) * PAD)
    start, end = low - pad, high + pad
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x_of(at_us: int) -> float:
        return round(LEFT + (at_us - start) / (end - start) * plot_w, 2)

    def y_of(quality: float) -> float:
        return round(TOP + (1.0 - min(max(quality, 0.0), 1.0)) * plot_h, 2)

    placed = tuple(
        PlacedPoint(
            x=x_of(p.at_us),
            y=y_of(p.quality),
            r=round(MIN_R + R_SPAN * min(abs(p.weight), 1.0), 2),
            negative=p.weight < 0,
            label=p.label,
        )
        for p in points
    )
    window = None
    if stale_at_us is not None:
        begin = window_start_us if window_start_us is not None else start
        window = (x_of(max(begin, start)), x_of(min(stale_at_us, end)))
    step = (end - start) / (TICKS + 1)
    ticks = tuple(
        Tick(x=x_of(round(start + step * i)), at_us=round(start + step * i))
        for i in range(1, TICKS + 1)
    )
    return Timeline(
        width=width,
        height=height,
        start_us=start,
        end_us=end,
        points=placed,
        window=window,
        now_x=x_of(now_us),
        ticks=ticks,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChartText:
    """The words a chart carries, already in the reader's language."""

    title: str
    desc: str
    now: str
    window: str
    empty: str


def render_timeline(
    layout: Timeline, text: ChartText, *, chart_id: str, format_date: Callable[[int], str]
) -> Markup:
    """Accessible SVG markup for a :class:`Timeline` (every text escaped)."""
    e = escape
    bottom = layout.height - BOTTOM
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {layout.width} {layout.height}" '
        f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc">',
        f'<title id="{e(chart_id)}-title">{e(text.title)}</title>',
        f'<desc id="{e(chart_id)}-desc">{e(text.desc)}</desc>',
    ]
    if layout.window is not None:
        x0, x1 = layout.window
        parts.append(
            f'<rect class="timeline-window" x="{x0}" y="{TOP}" width="{max(x1 - x0, 0):.2f}" '
            f'height="{bottom - TOP}"><title>{e(text.window)}</title></rect>'
        )
    parts.append(
        f'<line class="timeline-axis" x1="{LEFT}" y1="{bottom}" '
        f'x2="{layout.width - RIGHT}" y2="{bottom}"/>'
    )
    for quality in (0.0, 0.5, 1.0):
        y = TOP + (1.0 - quality) * (bottom - TOP)
        parts.append(
            f'<line class="timeline-grid" x1="{LEFT}" y1="{y:.2f}" '
            f'x2="{layout.width - RIGHT}" y2="{y:.2f}"/>'
            f'<text class="timeline-label" x="{LEFT - 6}" y="{y + 4:.2f}" '
            f'text-anchor="end">{quality:.1f}</text>'
        )
    for tick in layout.ticks:
        parts.append(
            f'<text class="timeline-label" x="{tick.x}" y="{layout.height - 8}" '
            f'text-anchor="middle">{e(format_date(tick.at_us))}</text>'
        )
    parts.append(
        f'<line class="timeline-now" x1="{layout.now_x}" y1="{TOP}" '
        f'x2="{layout.now_x}" y2="{bottom}"><title>{e(text.now)}</title></line>'
    )
    for point in layout.points:
        kind = "timeline-point negative" if point.negative else "timeline-point"
        parts.append(
            f'<circle class="{kind}" cx="{point.x}" cy="{point.y}" r="{point.r}">'
            f"<title>{e(point.label)}</title></circle>"
        )
    if layout.empty:
        parts.append(
            f'<text class="timeline-empty" x="{layout.width / 2}" y="{(TOP + bottom) / 2}" '
            f'text-anchor="middle">{e(text.empty)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
