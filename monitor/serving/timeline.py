# SPDX-License-Identifier: MIT
"""The timeline chart of the page: one lane per facet, a mark per change at the date it happened.

Drawn on the server as SVG inside the page (no JavaScript, nothing to build):
the x axis is the date the change's claim is placed at (`digest.change_date`:
the claim's own date, else its source's, else when it was flagged) — not the
poll time, which puts a whole cycle on one day. A mark's colour is its kind
(new, changed, reversed), its size its severity, and it links to the change
below the chart. Rejected changes are drawn hollow.

    chart = timeline(store.changes(newest_first=True, limit=500))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from monitor.delivering.digest import change_date
from monitor.judging.diff import SEVERITIES
from monitor.judging.summary import facet_name
from storage import StoredChange

WIDTH, LANE, LEFT, TOP, RIGHT = 900, 26, 250, 24, 16  # px: the chart, a lane, the label column, the axis, the margin
RADIUS = {"low": 4, "medium": 5, "high": 6.5, "critical": 8}


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    r: float
    id: str
    kind: str
    severity: str
    rejected: bool
    title: str  # the tooltip: date, kind, summary


@dataclass(frozen=True)
class Lane:
    y: float
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    lanes: list[Lane]
    marks: list[Mark]
    ticks: list[Tick]


def timeline(changes: list[StoredChange]) -> Timeline | None:
    """The chart of `changes`; None when there is nothing to draw."""
    if not changes:
        return None
    dated = [(change_date(c).date(), c) for c in changes]
    start, end = min(d for d, _ in dated), max(d for d, _ in dated)
    start, end = start - dt.timedelta(days=7), end + dt.timedelta(days=7)  # marks off the edges
    facets = sorted({c.facet for c in changes})
    lanes = {facet: TOP + LANE * (n + 0.5) for n, facet in enumerate(facets)}
    span = max(1, (end - start).days)

    def x_of(day: dt.date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span, 1)

    marks = [
        Mark(
            x_of(day),
            lanes[c.facet],
            RADIUS.get(c.severity, 4),
            c.id,
            c.kind,
            c.severity if c.severity in SEVERITIES else "low",
            c.review == "rejected",
            f"{day.isoformat()} · {c.kind} · {c.summary}",
        )  # fmt: skip
        for day, c in sorted(
            dated, key=lambda pair: SEVERITIES.index(pair[1].severity) if pair[1].severity in SEVERITIES else 0
        )  # the gravest drawn last, on top
    ]
    lane_labels = [Lane(y, facet_name(facet)) for facet, y in lanes.items()]
    return Timeline(WIDTH, int(TOP + LANE * len(facets) + 8), lane_labels, marks, _ticks(start, end, x_of))


def _ticks(start: dt.date, end: dt.date, x_of: Callable[[dt.date], float]) -> list[Tick]:
    """A tick at each month's first day (each year's, over a long span), at most about twelve."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, -(-months // 12))
    ticks, year, month = [], start.year, start.month
    for n in range(0, months, step):
        m = month - 1 + n
        day = dt.date(year + m // 12, m % 12 + 1, 1)
        if start <= day <= end:
            ticks.append(Tick(x_of(day), day.strftime("%b %Y")))
    return ticks
