# SPDX-License-Identifier: MIT
"""The steady state: a cycle over 1,000 feeds that have not changed since the last one, command against command.

Most polls of a news feed find nothing new, so this is what the service does
most of the time. The feeds (one item each) are polled once, in this process,
to store their ETags, their articles being already in the database, so no
page is fetched. Then, in ROUNDS paired rounds, each round runs back to back:

- `monitor run --once`, a whole command as a user runs it (start-up, configuration,
  database, the cycle, the digest);
- `urlwatch` on the same 1,000 URLs, a whole command (`urlwatch_peer.py`);
- `bench/bare_poll.py`, the physical limit: raw asyncio streams sending the same
  conditional GETs over as many connections, a whole command too (its loop's own
  time is reported beside it);
- `run_cycle` in this process, the figure without start-up (beside the others, never instead).

Every feed answers 304 in every run (checked). Settings, for both sides: our
`[fetch] per_host` is raised to `max_connections` (10), since every feed is
on one host here while real feeds are on many (the defaults give 10 in
flight over 5 hosts or more); urlwatch keeps its 10 threads, its reporters off.
Goal: our command in ≤ 1/5 of urlwatch's time (`urlwatch_vs_ours_cli_vs_cli` ≥ 5).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import urlwatch_peer
from bigdb import Item, build_database
from progress import say
from spread import paired_ratio, spread
from throughput import BenchError
from tomlconfig import write_monitor_toml

from monitor.config import Config, DigestConfig, FeedConfig, FetchConfig
from monitor.pipeline import run_cycle
from rules.engine import Engine
from storage import Store

ROUNDS = 7
GOAL_VS_URLWATCH = 5.0
BARE = Path(__file__).resolve().parent / "bare_poll.py"


def poll_unchanged(items: Sequence[Item], work: Path, *, fetch: dict[str, int], rounds: int = ROUNDS) -> dict:
    """The figures of the module docstring, each as median and min–max over `rounds` paired rounds."""
    urls = [item.feed_url for item in items]
    database = work / "poll.db"
    build_database(database, items, total=len(items))
    config = Config(
        feed=[FeedConfig(url=url) for url in urls], digest=DigestConfig(path=work / "poll-digest.xml"),
        fetch=FetchConfig(**fetch),
    )  # fmt: skip
    engine = Engine.load()  # as a daemon holds it: loaded once, outside the timed cycles
    with Store.open(database) as store:
        say(f"poll: first cycle over {len(urls)} feeds (stores their ETags)")
        first = asyncio.run(run_cycle(config, store, engine))
    if first.feeds_failed or first.articles_new:
        raise BenchError(f"poll: the first cycle should fetch every feed and no page: {first.summary()}")
    toml = write_monitor_toml(work / "poll.toml", urls, digest=work / "cli-digest.xml", fetch=fetch)
    url_file = work / "poll-urls.txt"
    url_file.write_text("\n".join(urls) + "\n")
    runs: dict[str, Callable[[], float]] = {
        "ours_cli": lambda: _cli_cycle(database, toml, len(urls)),
        "bare_cli": lambda: _bare(url_file, len(urls), fetch["max_connections"], loop_times),
        "ours_in_process": lambda: _in_process(config, database, engine, len(urls)),
    }
    loop_times: list[float] = []
    report: dict[str, object] = {"poll_feeds": len(urls), "poll_rounds": rounds}
    try:
        command = urlwatch_peer.prepare(urls, work)
        runs["urlwatch_cli"] = lambda: _urlwatch(command)
        report["urlwatch_version"] = urlwatch_peer.VERSION
    except urlwatch_peer.Unavailable as exc:
        say(f"urlwatch: unavailable: {exc}")
        report["urlwatch_unavailable"] = str(exc)
    timed = _paired_rounds(runs, rounds)
    if "urlwatch_cli" in timed:
        urlwatch_peer.check_unchanged(command, len(urls))
    return report | _figures(timed, loop_times)


def _paired_rounds(runs: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    timed: dict[str, list[float]] = {name: [] for name in runs}
    for number in range(1, rounds + 1):
        for name, run in runs.items():
            timed[name].append(run())
        say(f"poll: round {number}/{rounds}: " + ", ".join(f"{n} {t[-1]:.3f}s" for n, t in timed.items()))
    return timed


def _figures(timed: dict[str, list[float]], loop_times: list[float]) -> dict[str, object]:
    ours, bare = timed["ours_cli"], timed["bare_cli"]
    figures: dict[str, object] = {
        "poll_1000_unchanged_cli_s": spread(ours),
        "poll_1000_unchanged_in_process_s": spread(timed["ours_in_process"]),
        "bare_loop_1000_cli_s": spread(bare),
        "bare_loop_1000_loop_s": spread(loop_times),
        "ours_vs_bare_loop_cli_vs_cli": paired_ratio(ours, bare),
        "ours_vs_bare_loop_in_process": paired_ratio(timed["ours_in_process"], loop_times),
    }
    if "urlwatch_cli" in timed:
        figures["urlwatch_1000_unchanged_cli_s"] = spread(timed["urlwatch_cli"])
        figures["urlwatch_vs_ours_cli_vs_cli"] = paired_ratio(timed["urlwatch_cli"], ours, goal=GOAL_VS_URLWATCH)
        figures["urlwatch_vs_ours_in_process"] = paired_ratio(timed["urlwatch_cli"], timed["ours_in_process"])
    return figures


def _cli_cycle(database: Path, config: Path, feeds: int) -> float:
    """`monitor run --once` over the unchanged feeds: wall time of the whole command."""
    command = [str(Path(sys.executable).parent / "monitor"), "run", "--once", "--config", str(config)]
    start = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "MONITOR_DB": str(database)}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or f"({feeds} unchanged" not in done.stdout:
        output = (done.stdout + done.stderr)[-500:]
        raise BenchError(f"poll: `monitor run --once` exited {done.returncode}: {output}")
    return seconds


def _in_process(config: Config, database: Path, engine: Engine, feeds: int) -> float:
    with Store.open(database) as store:
        start = time.perf_counter()
        report = asyncio.run(run_cycle(config, store, engine))
        seconds = time.perf_counter() - start
    if report.feeds_unchanged != feeds:
        raise BenchError(f"poll: expected {feeds} unchanged feeds: {report.summary()}")
    return seconds


def _bare(url_file: Path, feeds: int, connections: int, loop_times: list[float]) -> float:
    """bare_poll.py as a command; its loop's own seconds go to `loop_times`."""
    command = [sys.executable, str(BARE), str(url_file), "--connections", str(connections)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    loop, not_modified = done.stdout.split()
    if int(not_modified) != feeds:
        raise BenchError(f"poll: the bare loop saw {not_modified} of {feeds} feeds answer 304")
    loop_times.append(float(loop))
    return seconds


def _urlwatch(command: list[str]) -> float:
    start = time.perf_counter()
    urlwatch_peer.run(command)
    return time.perf_counter() - start
