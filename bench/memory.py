# SPDX-License-Identifier: MIT
"""Memory of a cold cycle, as the size of the cycle grows: peak PSS of the whole process tree.

`monitor run --once` runs as a user runs it (its own process, a monitor.toml,
MONITOR_DB on a fresh database) over 1,000 feeds served on loopback, first
with 2 new pages each (2,000 pages), then with 20 each (20,000 pages). While
it runs, every SAMPLE_S this process reads /proc/<pid>/smaps_rollup of the
command and of every process under it (the reading workers, the fork server,
multiprocessing's resource tracker) and sums their PSS: shared pages (the
interpreter, lxml, trafilatura imported once in the fork server) count once,
split among the processes that share them, so the sum is what the tree costs
the machine. The peak of that sum is the figure.

Goals: ≤ 200 MB for the 20,000-page cycle (`memory_big_cycle_tree_pss_mb`), and
flat — its peak within 20 % of the 2,000-page one (`memory_big_vs_small_cycle`
≤ 1.2): a cycle streams its articles through reading and recording instead of
holding them. `--quick` runs 1,000 and 5,000 pages instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from progress import say
from spread import paired_ratio, spread
from throughput import BenchError
from tomlconfig import write_monitor_toml

SAMPLE_S = 0.2
GOAL_MB = 200.0
GOAL_FLAT = 1.2


@dataclass
class Peak:
    """The largest PSS sums seen while sampling one process tree."""

    tree_kb: int = 0
    main_kb: int = 0
    processes: int = 0
    samples: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self, pid: int) -> None:
        while not self.stop.is_set():
            pss = {p: _pss_kb(p) for p in _tree(pid)}
            self.tree_kb = max(self.tree_kb, sum(pss.values()))
            self.main_kb = max(self.main_kb, pss.get(pid, 0))
            self.processes = max(self.processes, len(pss))
            self.samples += 1
            self.stop.wait(SAMPLE_S)


def cold_cycle_pss(feed_urls: list[str], work: Path, name: str, *, pages: int, fetch: dict[str, int]) -> dict:
    """One `monitor run --once` over `feed_urls` on a fresh database: its tree's peak PSS and more."""
    database = work / f"{name}.db"
    for path in work.glob(f"{name}.db*"):
        path.unlink()
    config = write_monitor_toml(work / f"{name}.toml", feed_urls, digest=work / f"{name}-digest.xml", fetch=fetch)
    command = [str(Path(sys.executable).parent / "monitor"), "run", "--once", "--config", str(config)]
    peak = Peak()
    started = time.perf_counter()
    child = subprocess.Popen(command, env={**os.environ, "MONITOR_DB": str(database)}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    sampler = threading.Thread(target=peak.sample, args=(child.pid,), daemon=True)
    sampler.start()
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    peak.stop.set()
    sampler.join()
    if child.returncode != 0 or "(0 pages failed)" not in out or f"{pages:,} new articles" not in out:
        raise BenchError(f"memory: `monitor run --once` over {pages} pages: exit {child.returncode}: "
                         f"{(out + err)[-400:]}")  # fmt: skip
    return {"tree_mb": round(peak.tree_kb / 1024, 1), "main_mb": round(peak.main_kb / 1024, 1),
            "processes": peak.processes, "samples": peak.samples, "seconds": round(seconds, 1)}  # fmt: skip


def memory(sites: dict[str, tuple[list[str], int]], work: Path, *, fetch: dict[str, int], rounds: int) -> dict:
    """`sites`: {"small": (feed URLs, pages), "big": (…)}; `rounds` paired rounds, each running both."""
    runs: dict[str, list[dict]] = {name: [] for name in sites}
    for number in range(1, rounds + 1):
        for name, (urls, pages) in sites.items():
            say(f"memory: round {number}/{rounds}: a cold cycle of {pages} pages from {len(urls)} feeds")
            runs[name].append(cold_cycle_pss(urls, work, f"memory-{name}", pages=pages, fetch=fetch))
            say(f"memory: {runs[name][-1]}")
    tree = {name: [run["tree_mb"] for run in found] for name, found in runs.items()}
    small, big = tree["small"], tree["big"]
    big_figure = spread(big, digits=1) | {"goal": GOAL_MB, "goal_met": float(spread(big)["median"]) <= GOAL_MB}
    return {
        "memory_rounds": rounds,
        "memory_small_cycle_pages": sites["small"][1],
        "memory_big_cycle_pages": sites["big"][1],
        "memory_small_cycle_tree_pss_mb": spread(small, digits=1),
        "memory_big_cycle_tree_pss_mb": big_figure,
        "memory_small_cycle_main_pss_mb": spread([r["main_mb"] for r in runs["small"]], digits=1),
        "memory_big_cycle_main_pss_mb": spread([r["main_mb"] for r in runs["big"]], digits=1),
        "memory_big_vs_small_cycle": paired_ratio(big, small, goal=GOAL_FLAT, at_least=False),
        "memory_runs": runs,
    }


def _tree(pid: int) -> list[int]:
    """`pid` and every process under it (from /proc/<pid>/task/<tid>/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):  # it ended between two reads
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0
