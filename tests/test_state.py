# SPDX-License-Identifier: MIT
"""`monitor state`: the baseline on an empty database, then each change, as of a date."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from monitor.judging.baseline import build_baseline
from monitor.judging.state import known_state, standing
from rules.engine import Engine
from storage import Store


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def add(
    store: Store, change_id: str, *, facet: str, key: str, status: str, when: str, values: dict | None = None
) -> None:
    feed, _ = store.add_feed("https://news.example/feed.xml")
    article, _ = store.add_article(guid=change_id, url=f"https://news.example/{change_id}", content_hash=change_id,
                                   title=change_id, published=when, lang="en", text="…", feed_id=feed.id)  # fmt: skip
    after = {"facet": facet, "key": key, "status": status, "values": values or {}, "hedged": False, "when": when,
             "evidence": f"The sentence of {change_id}."}  # fmt: skip
    store.add_change({"id": change_id, "facet": facet, "key": key, "kind": "new", "before": None, "after": after,
                      "severity": "high", "summary": change_id, "hedged": False}, article_id=article.id)  # fmt: skip


def test_an_empty_database_stands_where_the_baseline_does(engine: Engine, tmp_path: Path) -> None:
    baseline = build_baseline(engine)
    with Store.open(tmp_path / "m.db") as store:
        rows = standing(known_state(engine, store), store.changes())
    assert [(r.facet, r.key, r.status, r.values) for r in rows] == [
        (k.claim.facet, k.claim.key, k.claim.status, k.claim.values) for _, k in sorted(baseline.known.items())
    ]
    assert all(r.last_change is None and r.evidence and r.source.endswith(".txt") for r in rows)


def test_as_of_follows_the_changes_dated_by_then(engine: Engine, tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.db") as store:
        add(store, "aws", facet="openai.compute_provider", key="aws", status="active", when="2025-11-03",
            values={"amount_usd": 38e9})  # fmt: skip
        add(store, "rofr", facet="azure.rofr", key="microsoft", status="ended", when="2025-10-28")

        def rows(as_of: str | None) -> dict[tuple[str, str], Any]:
            return {(r.facet, r.key): r for r in standing(known_state(engine, store, as_of=as_of), store.changes())}

        before, between, now, early = rows("2025-10-01"), rows("2025-10-30"), rows(None), set(rows("2019-12-31"))
    assert ("openai.compute_provider", "aws") not in before and before[("azure.rofr", "microsoft")].status == "held"
    assert ("openai.compute_provider", "aws") not in between and between[("azure.rofr", "microsoft")].status == "ended"
    aws = now[("openai.compute_provider", "aws")]
    assert (aws.status, aws.described, aws.since, aws.sources) == ("active", "$38 billion", "2025-11-03", 1)
    assert aws.last_change == {"id": "aws", "kind": "new"} and aws.source == "https://news.example/aws"
    assert early and early < set(before), "before the later seeds, less is known"


def test_the_state_command(engine: Engine, tmp_path: Path) -> None:
    database = tmp_path / "m.db"
    with Store.open(database) as store:
        add(store, "aws", facet="openai.compute_provider", key="aws", status="active", when="2025-11-03")
    env = {**os.environ, "MONITOR_DB": str(database)}
    run = subprocess.run([sys.executable, "-m", "monitor", "state", "--json", "--as-of", "2025-12-01"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["as_of"] == "2025-12-01"
    assert {"facet": "openai.compute_provider", "key": "aws"}.items() <= next(
        row for row in payload["state"] if row["key"] == "aws").items()  # fmt: skip
    text = subprocess.run([sys.executable, "-m", "monitor", "state"], capture_output=True, text=True, env=env,
                          timeout=120).stdout  # fmt: skip
    assert text.startswith("Now: ") and "OpenAI compute from AWS: active" in text
    bad = subprocess.run([sys.executable, "-m", "monitor", "state", "--as-of", "soon"], capture_output=True,
                         text=True, env=env, timeout=120)  # fmt: skip
    assert (
        bad.returncode == 1
        and bad.stderr.strip() == "monitor: error: --as-of: 'soon' is not a date (expected YYYY-MM-DD)"
    )
