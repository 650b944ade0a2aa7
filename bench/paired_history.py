# SPDX-License-Identifier: MIT
"""Two builds of `monitor changes` (text and `--json`) over the same history, alternating: CPU and wall of each.

    python bench/paired_history.py OLD_MONITOR NEW_MONITOR --database DB [--rounds 12]

OLD_MONITOR and NEW_MONITOR are `monitor` console scripts of two installs (e.g. a venv made for an older
commit, and this tree's `.venv/bin/monitor`). DB is a history both can read: `--only history`'s (100,000
articles, 5,000 changes; `history.add_changes` over `bigdb.build_database`) made by the older build. Each
side lists its own copy of it (a newer schema is migrated by the new side's first run, untimed). Each
round runs every command of both builds back to back, in turn first, output to a pipe; every output of
the new build must be byte for byte the old one's. CPU time is the command's user + system time
(RUSAGE_CHILDREN), steadier than wall time on a shared machine. Prints the median (min–max) of each
side and of the per-round ratios old/new.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from child_time import timed_run
from spread import paired_ratio, spread

COMMANDS = {"text": ["changes"], "json": ["changes", "--json"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sides = {"old": args.old, "new": args.new}
        databases = {side: Path(folder) / f"{side}.db" for side in sides}
        for database in databases.values():
            shutil.copyfile(args.database, database)
        for side, monitor in sides.items():
            _run(monitor, ["changes", "--limit", "1"], databases[side])  # a newer schema migrates here, untimed
        timed = _rounds(sides, databases, args.rounds)
    for name in COMMANDS:
        old, new = timed[("old", name)], timed[("new", name)]
        print(f"{name}: old cpu {spread([c for c, _ in old])}, wall {spread([w for _, w in old])}")
        print(f"{name}: new cpu {spread([c for c, _ in new])}, wall {spread([w for _, w in new])}")
        print(f"{name}: old/new cpu {paired_ratio([c for c, _ in old], [c for c, _ in new])}, "
              f"wall {paired_ratio([w for _, w in old], [w for _, w in new])}")  # fmt: skip
    print(f"load {os.getloadavg()}")


def _rounds(
    sides: dict[str, Path], databases: dict[str, Path], rounds: int
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    timed: dict[tuple[str, str], list[tuple[float, float]]] = {(s, n): [] for s in sides for n in COMMANDS}
    for number in range(rounds):
        order = list(sides) if number % 2 == 0 else list(sides)[::-1]
        for name, words in COMMANDS.items():
            printed = {}
            for side in order:
                cpu, wall, printed[side] = _run(sides[side], words, databases[side])
                timed[(side, name)].append((cpu, wall))
            if printed["old"] != printed["new"]:
                raise SystemExit(f"round {number + 1}: `monitor {' '.join(words)}` printed other bytes")
        done = ", ".join(f"{side} {name} {runs[-1][0]:.3f}s cpu" for (side, name), runs in timed.items())
        print(f"round {number + 1}/{rounds}: {done}", file=sys.stderr)
    return timed


def _run(monitor: Path, words: list[str], database: Path) -> tuple[float, float, bytes]:
    """(CPU, wall, output) of one command, checked to have succeeded."""
    cpu, wall, done = timed_run([str(monitor), *words], {**os.environ, "MONITOR_DB": str(database)})
    if done.returncode != 0:
        raise SystemExit(f"{monitor} {' '.join(words)}: exited {done.returncode}: {done.stderr[-300:]!r}")
    return cpu, wall, done.stdout


if __name__ == "__main__":
    main()
