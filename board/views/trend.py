"""The direction of the whole plan drawn on the server: status counts week by week as stacked areas.

Each band is labelled in words at its right-hand end (a label moved clear of its neighbours keeps a
short line to its band), so the chart reads without colour; its title and description say the same
in words for a screen reader, and the page offers the numbers as a table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models import Status

# Bottom to top: what is done at the foot, what has not started on top.
STACK = [Status.COMPLETE, Status.GREEN, Status.AMBER, Status.RED, Status.NOT_STARTED]
# The board's own fills (static/css/board.css), as attributes: an SVG drawn for paper carries its colours.
FILLS = {Status.NOT_STARTED: "#d9dde3", Status.RED: "#b42318", Status.AMBER: "#f4b400",
         Status.GREEN: "#2e8540", Status.COMPLETE: "#1d4ed8"}
WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 34, 150, 8, 26
LABEL_GAP = 12


@dataclass(frozen=True)
class Band:
    status: Status
    points: str            # the polygon
    fill: str
    label: str             # "Green 20"
    label_y: float
    anchor_y: float        # the band's middle at its right-hand end
    moved: bool            # the label sits away from its band: a line joins them


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    plot_right: float
    bands: list[Band]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    title: str
    description: str
    rows: list[tuple[date, dict]] = field(default_factory=list)   # the numbers, for the table


def _label_positions(wanted: list[float]) -> list[float]:
    """Label heights at least LABEL_GAP apart, as near as they can be to where each band is."""
    placed: list[float] = []
    for y in sorted(wanted, reverse=True):  # from the foot of the chart upwards
        placed.append(min(y, placed[-1] - LABEL_GAP) if placed else min(y, HEIGHT - BOTTOM))
    overflow = TOP + 6 - placed[-1]
    if overflow > 0:
        placed = [y + overflow for y in placed]
    order = sorted(range(len(wanted)), key=lambda i: wanted[i], reverse=True)
    result = [0.0] * len(wanted)
    for rank, index in enumerate(order):
        result[index] = placed[rank]
    return result


def _x_ticks(days: list[date], x_of) -> list[tuple[float, str]]:
    """A tick at the first week of each month, the year shown on the first and on each January."""
    ticks, seen = [], set()
    for index, day in enumerate(days):
        if (day.year, day.month) in seen:
            continue
        seen.add((day.year, day.month))
        label = day.strftime("%b %Y") if not ticks or day.month == 1 else day.strftime("%b")
        ticks.append((x_of(index), label))
    return ticks


def trend_chart(points: list[tuple[date, dict]]) -> TrendChart | None:
    """The chart of `points` ((day, {status value: count}) in time order); None with no points."""
    if not points:
        return None
    if len(points) == 1:  # one week only: a flat band across the chart
        points = points * 2
    days = [day for day, _ in points]
    total = max(sum(counts.values()) for _, counts in points) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return LEFT + plot_w * index / (len(points) - 1)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / total)

    lower = [0.0] * len(points)
    shapes, anchors = [], []
    for status in STACK:
        upper = [base + counts.get(status.value, 0) for base, (_, counts) in zip(lower, points, strict=True)]
        top_line = [f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(upper)]
        foot_line = [f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in reversed(list(enumerate(lower)))]
        shapes.append((status, " ".join(top_line + foot_line), points[-1][1].get(status.value, 0)))
        anchors.append(y_of((lower[-1] + upper[-1]) / 2))
        lower = upper
    label_ys = _label_positions(anchors)
    bands = [Band(status, polygon, FILLS[status], f"{status.label} {count}", label_y, anchor,
                  abs(label_y - anchor) > 1)
             for (status, polygon, count), label_y, anchor in zip(shapes, label_ys, anchors, strict=True)]
    first, last = points[0], points[-1]

    def words(counts: dict) -> str:
        return ", ".join(f"{counts.get(s.value, 0)} {s.label}" for s in reversed(STACK))

    return TrendChart(
        width=WIDTH, height=HEIGHT, plot_right=LEFT + plot_w, bands=bands, x_ticks=_x_ticks(days, x_of),
        y_ticks=[(y_of(total * share / 4), round(total * share / 4)) for share in range(5)],
        title=f"Actions by status, week by week, {first[0].day} {first[0]:%B %Y} to {last[0].day} {last[0]:%B %Y}",
        description=f"On {first[0].day} {first[0]:%B %Y}: {words(first[1])}. "
                    f"On {last[0].day} {last[0]:%B %Y}: {words(last[1])}.",
        rows=_distinct(points))


def _distinct(points: list[tuple[date, dict]]) -> list[tuple[date, dict]]:
    """The points without the copy a one-week chart draws twice."""
    rows = []
    for day, counts in points:
        if not rows or rows[-1][0] != day:
            rows.append((day, counts))
    return rows
