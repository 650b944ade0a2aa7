# SPDX-License-Identifier: MIT
"""The steady state: a cycle over many feeds that have not changed since the last one.

Most polls of a news feed find nothing new, so this is what the service does
most of the time. The feeds (one item each) are polled once to store their
ETags, their articles being already in the database, so no page is fetched;
then the second cycle — every feed answering 304 — is timed, in process
through `run_cycle`, and once more as the user runs it, `monitor run --once`,
start-up included (the figure comparable to another tool's command).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bigdb import Item, build_database
from progress import say
from throughput import BenchError
from tomlconfig import write_monitor_toml

from monitor.config import Config, DigestConfig, FeedConfig, FetchConfig
from monitor.pipeline import run_cycle
from rules.engine import Engine
from storage import Store


def poll_unchanged(items: Sequence[Item], work: Path, *, fetch: dict[str, int]) -> dict:
    """Seconds for one cycle over the feeds of `items` when all of them answer 304."""
    urls = [item.feed_url for item in items]
    database = work / "poll.db"
    build_database(database, items, total=len(items))
    config = Config(
        feed=[FeedConfig(url=url) for url in urls], digest=DigestConfig(path=work / "poll-digest.xml"),
        fetch=FetchConfig(**fetch),
    )  # fmt: skip
    engine = Engine.load()
    with Store.open(database) as store:
        say(f"poll: first cycle over {len(urls)} feeds (stores their ETags)")
        first = asyncio.run(run_cycle(config, store, engine))
        if first.feeds_failed or first.articles_new:
            raise BenchError(f"poll: the first cycle should fetch every feed and no page: {first.summary()}")
        say("poll: second cycle, every feed unchanged")
        start = time.perf_counter()
        second = asyncio.run(run_cycle(config, store, engine))
        seconds = time.perf_counter() - start
    if second.feeds_unchanged != len(urls):
        raise BenchError(f"poll: expected {len(urls)} unchanged feeds: {second.summary()}")
    cli = _cli_cycle(database, write_monitor_toml(work / "poll.toml", urls, digest=work / "cli-digest.xml",
                                                  fetch=fetch), len(urls))  # fmt: skip
    return {"poll_feeds": len(urls), "poll_1000_unchanged_s": round(seconds, 3), "poll_1000_unchanged_cli_s": cli}


def _cli_cycle(database: Path, config: Path, feeds: int) -> float:
    """`monitor run --once` over the same unchanged feeds: wall time of the whole command."""
    say("poll: the same, as `monitor run --once` (start-up included)")
    command = [str(Path(sys.executable).parent / "monitor"), "run", "--once", "--config", str(config)]
    start = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, "MONITOR_DB": str(database)}, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0 or f"({feeds} unchanged" not in done.stdout:
        output = (done.stdout + done.stderr)[-500:]
        raise BenchError(f"poll: `monitor run --once` exited {done.returncode}: {output}")
    return round(seconds, 3)
