# SPDX-License-Identifier: MIT
"""Two builds of `monitor run --once` over the same 1,000 unchanged feeds, alternating: CPU and wall of each.

    python bench/paired_poll.py OLD_MONITOR NEW_MONITOR [--rounds 12]

OLD_MONITOR and NEW_MONITOR are `monitor` console scripts of two installs (e.g. a venv made for an
older commit, and this tree's `.venv/bin/monitor`). The feeds are `--only poll`'s (`polling.py`): 1,000
one-item feeds served on loopback, every one answering 304, their ETags stored by a first cycle. Each
round runs both commands back to back, in turn first, on the same database and server; CPU time is
the command's user + system time (RUSAGE_CHILDREN), steadier than wall time on a shared machine.
Prints the median (min–max) of each side and of the per-round ratios old/new.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

import corpus
import server
from bigdb import Item, build_database
from child_time import timed_run
from spread import paired_ratio, spread
from tomlconfig import write_monitor_toml

from monitor.config import Config, DigestConfig, FeedConfig, FetchConfig
from monitor.pipeline import run_cycle
from storage import Store

FETCH = {"max_connections": 10, "per_host": 10}  # as bench/run.py's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        site = corpus.generate(corpus.Spec(feeds=1000, articles=1, seed=1000, prefix="s"))
        site.write(work / "site")
        with server.serve(work / "site", all_304=True) as base:
            items = [Item(base + f.path, base + f.pages[0].path, f.pages[0]) for f in site.feeds]
            database = work / "poll.db"
            build_database(database, items, total=len(items))
            urls = [item.feed_url for item in items]
            config = Config(feed=[FeedConfig(url=url) for url in urls], fetch=FetchConfig(**FETCH),
                            digest=DigestConfig(path=work / "first-digest.xml"))  # fmt: skip
            with Store.open(database) as store:
                asyncio.run(run_cycle(config, store, None))  # stores the ETags
            toml = write_monitor_toml(work / "poll.toml", urls, digest=work / "digest.xml", fetch=FETCH)
            timed = _rounds({"old": args.old, "new": args.new}, toml, database, args.rounds)
    for name, runs in timed.items():
        print(f"{name}: cpu {spread([c for c, _ in runs])}, wall {spread([w for _, w in runs])}")
    old, new = timed["old"], timed["new"]
    print(f"old/new: cpu {paired_ratio([c for c, _ in old], [c for c, _ in new])}, "
          f"wall {paired_ratio([w for _, w in old], [w for _, w in new])}, load {os.getloadavg()}")  # fmt: skip


def _rounds(commands: dict[str, Path], toml: Path, database: Path, rounds: int) -> dict[str, list[tuple[float, float]]]:
    timed: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for number in range(rounds):
        order = list(commands) if number % 2 == 0 else list(commands)[::-1]
        for name in order:
            timed[name].append(_run(commands[name], toml, database))
        print(f"round {number + 1}/{rounds}: " + ", ".join(f"{n} {t[-1][0]:.3f}s cpu" for n, t in timed.items()),
              file=sys.stderr)  # fmt: skip
    return timed


def _run(monitor: Path, toml: Path, database: Path) -> tuple[float, float]:
    """(CPU, wall) seconds of one `monitor run --once`, checked to have found every feed unchanged."""
    argv = [str(monitor), "run", "--once", "--config", str(toml)]
    cpu, wall, done = timed_run(argv, {**os.environ, "MONITOR_DB": str(database)})
    out = done.stdout.decode(errors="replace")
    if done.returncode != 0 or "(1000 unchanged" not in out:
        raise SystemExit(f"{monitor}: exited {done.returncode}: {(out + done.stderr.decode(errors='replace'))[-300:]}")
    return cpu, wall


if __name__ == "__main__":
    main()
