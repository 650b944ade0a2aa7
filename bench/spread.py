# SPDX-License-Identifier: MIT
"""Figures from repeated runs: median and min–max, never one run alone.

    spread([0.41, 0.39, 0.52])                    → {"median": 0.41, "min": 0.39, "max": 0.52, "n": 3}
    paired_ratio(slow, fast, goal=5.0)            → the same over slow[i] / fast[i], with "goal", "goal_met"

A paired ratio divides the two measurements of one round (taken back to back,
so a busy moment of the shared machine weighs on both), then takes the median
of those ratios: steadier than a ratio of two medians.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def spread(values: Sequence[float], *, digits: int = 3) -> dict[str, float | int]:
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits), "n": len(values)}  # fmt: skip


def paired_ratio(
    top: Sequence[float], bottom: Sequence[float], *, goal: float | None = None, at_least: bool = True
) -> dict[str, object]:
    """median and min–max of top[i] / bottom[i]; with `goal`, whether the median is ≥ it (`at_least`) or ≤ it."""
    figure: dict[str, object] = dict(spread([a / b for a, b in zip(top, bottom, strict=True)]))
    if goal is not None:
        median = float(figure["median"])  # type: ignore[arg-type]
        figure |= {"goal": goal, "goal_met": median >= goal if at_least else median <= goal}
    return figure
