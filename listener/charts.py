"""Bar charts of per-minute counts, measured here and drawn as inline SVG by the templates.

No script and no external asset: the page stays one server-rendered document that reads
the same with JavaScript off. Each bar carries a title, so hovering tells its minute.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

WIDTH, HEIGHT = 600, 80
GAP = 2  # between bars, in the chart's own units


@dataclasses.dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclasses.dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    total: int
    peak: int
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(minutes: Sequence[datetime], counts: Sequence[int], noun: str) -> BarChart:
    """One bar a minute, scaled to the busiest; an empty minute gets no bar."""
    peak = max(counts, default=0)
    slot = WIDTH / max(len(counts), 1)
    bars = []
    for index, (minute, count) in enumerate(zip(minutes, counts)):
        if not count:
            continue
        height = max(HEIGHT * count / peak, 1.0)
        bars.append(Bar(x=round(index * slot + GAP / 2, 2), y=round(HEIGHT - height, 2), width=round(slot - GAP, 2),
                        height=round(height, 2), title=f"{minute:%H:%M} UTC: {count} {noun}"))
    return BarChart(bars=bars, total=sum(counts), peak=peak)
