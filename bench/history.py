# SPDX-License-Identifier: MIT
"""Reading the history: `monitor changes` (text and --json) and the page `/` over a big database.

A copy of the benchmark's big database (100,000 articles; `--quick`: 10,000)
gains CHANGES changes, each with one to three sources, through the Store API.
Then, in paired rounds (each round times every reader once, in the same
order): the whole `monitor changes` command, text and `--json`, as a user
runs it; and `GET /` answered by the daemon's web app in this process (the
page's own work: query, template; no network), by one app as a running daemon
keeps it (the state view is replayed once per new change, so its first request
is timed apart, as `history_page_first_s`). Goals: the commands ≤ 0.3 s, `/`
≤ 0.1 s. Reported: median and min–max of each.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from progress import say

from monitor.serving.metrics import Metrics
from monitor.serving.web import WebState, create_app
from rules.engine import Engine
from storage import Store

CHANGES = 5_000
GOALS = {"changes_text": 0.3, "changes_json": 0.3, "page": 0.1}


def add_changes(path: Path, count: int, *, seed: int = 11) -> None:
    rng = random.Random(seed)
    facets = ("openai.compute_provider", "azure.commitment", "microsoft.stake", "stargate", "openai.chip")
    with Store.open(path) as store:
        ids = [row["id"] for row in store.db.query("SELECT id FROM articles ORDER BY id")]
        with store.transaction():
            for n in range(count):
                facet = facets[n % len(facets)]
                after = {"facet": facet, "key": f"k{n}", "status": "active", "values": {"amount_usd": n * 1e6},
                         "hedged": False, "when": "2025-10-29", "evidence": f"Evidence sentence {n}."}  # fmt: skip
                change = {"id": f"chg_{n:06d}", "facet": facet, "key": f"k{n}", "kind": "new", "before": None,
                          "after": after, "severity": "medium", "summary": f"{facet} {n}: new, active", "hedged": False,
                          "first_seen": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00+00:00"}  # fmt: skip
                sources = rng.sample(ids, rng.randint(1, 3))
                store.add_change(change, article_id=sources[0])
                for extra in sources[1:]:
                    store.attach_source(change["id"], extra)


def history(big_db: Path, work: Path, *, rounds: int = 7) -> dict[str, object]:
    database = work / "history.db"
    shutil.copyfile(big_db, database)
    say(f"history: adding {CHANGES} changes to a copy of the big database")
    add_changes(database, CHANGES)
    monitor = Path(sys.executable).with_name("monitor")
    env = {**os.environ, "MONITOR_DB": str(database)}
    page = Page(database, work)
    first = page.get()
    readers = {
        "changes_text": lambda: _command([str(monitor), "changes"], env=env),
        "changes_json": lambda: _command([str(monitor), "changes", "--json"], env=env),
        "page": page.get,
    }
    timed: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(rounds):
        for name, read in readers.items():
            timed[name].append(read())
    report: dict[str, object] = {"history_changes": CHANGES, "history_rounds": rounds,
                                 "history_page_first_s": round(first, 3)}  # fmt: skip
    for name, times in timed.items():
        median = statistics.median(times)
        report[f"history_{name}_s"] = {"median": round(median, 3), "min": round(min(times), 3),
                                       "max": round(max(times), 3), "n": len(times), "goal": GOALS[name],
                                       "goal_met": median <= GOALS[name]}  # fmt: skip
    say("history: " + ", ".join(f"{n} {statistics.median(t):.3f}s" for n, t in timed.items()) + " (medians)")
    return report


def _command(argv: list[str], *, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


class Page:
    """The daemon's web app, made once and kept as a running daemon keeps it; `get` times one `GET /`."""

    def __init__(self, database: Path, work: Path) -> None:
        state = WebState(database=database, digest=work / "digest.xml", metrics=Metrics(),
                         health=lambda: (True, "ok"), engine=Engine.load())  # fmt: skip
        self.app = create_app(state)

    def get(self) -> float:
        async def one() -> float:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                started = time.perf_counter()
                response = await client.get("/")
                elapsed = time.perf_counter() - started
            response.raise_for_status()
            return elapsed

        return asyncio.run(one())
