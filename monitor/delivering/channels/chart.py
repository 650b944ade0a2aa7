# SPDX-License-Identifier: MIT
"""The timeline chart of the e-mail: the page's lanes and marks (monitor/serving/timeline.py) as an HTML table.

E-mail clients strip inline SVG, and many block images (a PNG attached by
Content-ID included) until the reader allows them; a table with inline styles
is shown by every client, scales with the text, and keeps each mark a link.
One row per facet, one column per month (or per several months over a long
span, at most `MAX_COLUMNS`), a mark per change in the cell of the date it
happened — the claim's, not the poll's — coloured by kind, larger when graver.

    chart = table_chart([point_of(change) for change in changes])
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from monitor.judging.summary import facet_name

MAX_COLUMNS = 12
COLOURS = {"new": "#1565c0", "changed": "#ef6c00", "reversed": "#c2185b"}  # the page's colours
SIZES = {"low": 10, "medium": 12, "high": 15, "critical": 18}  # px


@dataclass(frozen=True)
class Point:
    """One change on the chart: its lane, the day it happened, how it is drawn, where it links."""

    lane: str
    day: dt.date
    kind: str
    severity: str
    title: str
    url: str = ""

    @property
    def colour(self) -> str:
        return COLOURS.get(self.kind, "#777")

    @property
    def size(self) -> int:
        return SIZES.get(self.severity, 10)


@dataclass(frozen=True)
class TableChart:
    columns: list[str]  # "Oct 2025", or "Oct 2025 –" when a column holds several months
    rows: list[tuple[str, list[list[Point]]]]  # (lane label, the points in each column)


def point_of(change: dict[str, Any]) -> Point | None:
    """The point of a change as alerts carry it (`change.flagged`'s `change`); None without a date."""
    after: dict[str, Any] = change["after"] if isinstance(change.get("after"), dict) else {}
    sources: list[Any] = change["sources"] if isinstance(change.get("sources"), list) else []
    first: dict[str, Any] = sources[0] if sources and isinstance(sources[0], dict) else {}
    for value in (change.get("happened_at"), after.get("when"), first.get("published"), change.get("first_seen")):
        with suppress(ValueError, TypeError):
            day = dt.date.fromisoformat(str(value)[:10])
            title = f"{day.isoformat()} · {change.get('kind', '')} · {change.get('summary', '')}"
            return Point(facet_name(str(change.get("facet", ""))), day, str(change.get("kind", "")),
                         str(change.get("severity", "")), title, str(first.get("url") or ""))  # fmt: skip
    return None


def table_chart(points: list[Point]) -> TableChart | None:
    """The table of `points`; None when there are none."""
    if not points:
        return None
    start, end = min(p.day for p in points), max(p.day for p in points)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = -(-months // MAX_COLUMNS)
    count = -(-months // step)

    def column(day: dt.date) -> int:
        return ((day.year - start.year) * 12 + day.month - start.month) // step

    labels = []
    for n in range(count):
        m = start.month - 1 + n * step
        first = dt.date(start.year + m // 12, m % 12 + 1, 1)
        labels.append(first.strftime("%b %Y") + (" –" if step > 1 else ""))
    lanes = sorted({p.lane for p in points})
    rows = []
    for lane in lanes:
        cells: list[list[Point]] = [[] for _ in range(count)]
        for point in sorted((p for p in points if p.lane == lane), key=lambda p: p.day):
            cells[column(point.day)].append(point)
        rows.append((lane, cells))
    return TableChart(labels, rows)
