# SPDX-License-Identifier: MIT
"""`monitor changes` through the console script's fast path (`monitor.entry`) and through the typer CLI
(`monitor.cli`): the same bytes on stdout and stderr and the same exit status, for every option the
listing takes and for its errors; and the fast path imports none of typer, pydantic, rich, sqlite-utils."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from monitor import __version__
from monitor.cli import app
from monitor.entry import CHANGES_OPTIONS, changes_options
from storage import Store

HEAVY = ("typer", "pydantic", "rich", "sqlite_utils")
# The fast path, reporting on stderr's last line whether a heavy library was imported
FAST = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('\\nheavy: %s' % sorted("
        f"m for m in {HEAVY!r} if m in sys.modules))); from monitor.entry import main; main()")  # fmt: skip
TYPER = "from monitor.cli import main; main()"


def run(code: str, args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, "changes", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)  # fmt: skip


def fill(path: Path) -> None:
    with Store.open(path) as store:
        article_ids = []
        for n in range(3):
            article, _ = store.add_article(guid=f"g{n}", url=f"https://user:pw@news.example/{n}", content_hash=f"h{n}",
                                           title=f"Title {n} é", published=f"2025-0{n + 1}-15", lang="en",
                                           text="Text.", feed_id=None)  # fmt: skip
            article_ids.append(article.id)
        for n in range(4):
            after = {"facet": "stargate", "key": f"k{n}", "status": "active", "values": {"amount_usd": n * 1.5e9},
                     "hedged": False, "when": f"2025-0{n + 1}-01", "evidence": f"Évidence {n}."}  # fmt: skip
            change = {"id": f"chg_{n}", "facet": "stargate", "key": f"k{n}", "kind": "new", "before": None,
                      "after": after, "severity": "high", "summary": f"Stargate  {n}: new",
                      "first_seen": f"2025-0{n + 1}-02T12:00:00+00:00"}  # fmt: skip
            store.add_change(change, article_id=article_ids[n % 3])
        store.attach_source("chg_1", article_ids[2])
        store.outbox.add([{"id": "a1", "event": "change.flagged", "channel": "webhook", "payload": {},
                           "change_id": "chg_2"}])  # fmt: skip
        store.review_change("chg_3", "rejected", note="a false alarm")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("entry")
    fill(folder / "monitor.db")
    (folder / "good.toml").write_text('database = "monitor.db"\n', encoding="utf-8")
    (folder / "bad.toml").write_text("[fetch]\nspeed = 3\n", encoding="utf-8")
    (folder / "garbage.db").write_bytes(b"not a database" * 100)
    (folder / "cwd").mkdir()
    return folder


DB = "monitor.db"
CASES = [  # (arguments, MONITOR_DB relative to the home folder, or None; more environment)
    ([], DB, {}),
    (["--json"], DB, {}),
    (["--limit", "2"], DB, {}),
    (["--limit=1", "--json"], DB, {}),
    (["--since", "2025-03-01"], DB, {}),
    (["--since=2099-01-01", "--json"], DB, {}),
    (["--json", "--since", "2025-02-01T08:00:00", "--limit", "2"], DB, {}),
    (["--config", "{home}/good.toml"], None, {}),
    (["--config={home}/good.toml", "--json", "--limit", "3"], None, {}),
    (["--since", "yesterday"], DB, {}),  # not a date
    (["--config", "{home}/missing.toml"], DB, {}),
    (["--config", "{home}/bad.toml"], DB, {}),  # an unknown key
    ([], "no/such/dir/monitor.db", {}),  # a missing directory
    (["--json"], "new.db", {}),  # a missing file: created, empty
    ([], "garbage.db", {}),  # not a database
    ([], DB, {"MONITOR_LISTEN": "8082"}),  # an environment variable the configuration refuses
    ([], DB, {"MONITOR_LOG_LEVEL": "INFO"}),
]


@pytest.mark.parametrize(("args", "database", "more"), CASES)
def test_the_fast_path_prints_what_typer_prints(
    home: Path, tmp_path: Path, args: list[str], database: str | None, more: dict[str, str]
) -> None:
    args = [arg.format(home=home) for arg in args]
    assert changes_options(args) is not None, "the fast path takes these"
    outcomes = []
    for side, code in (("fast", FAST), ("typer", TYPER)):
        # each side has its own copies, so that one creating or touching a file cannot change the other's
        folder = tmp_path / side
        folder.mkdir()
        for name in ("monitor.db", "garbage.db"):
            (folder / name).write_bytes((home / name).read_bytes())
        env = {**os.environ, **more}
        env.pop("MONITOR_DB", None)
        if database is not None:
            env["MONITOR_DB"] = str(folder / database)
        done = run(code, args, env=env, cwd=home / "cwd")
        outcomes.append(
            (done.returncode, done.stdout.replace(str(folder), "<db>"), done.stderr.replace(str(folder), "<db>"))
        )
    fast, typer = outcomes
    stderr, _, heavy = fast[2].rpartition("\nheavy: ")
    # a configuration file is validated with pydantic; a database to create or explain is opened with sqlite-utils
    plain = database == DB and not any(arg.startswith("--config") for arg in args) and "MONITOR_LISTEN" not in more
    assert heavy == "[]" if plain else "typer" not in heavy and "rich" not in heavy, f"the fast path imported {heavy}"
    assert (fast[0], fast[1], stderr) == typer
    assert fast[1] or fast[0], "something was printed"


def test_the_listing_prints_sources_delivery_and_reviews_newest_first(home: Path) -> None:
    env = {**os.environ, "MONITOR_DB": str(home / DB)}
    listed = subprocess.run([sys.executable, "-m", "monitor", "changes", "--limit", "3"], capture_output=True,
                            text=True, env=env, cwd=home / "cwd", timeout=120)  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[1] for line in listed.stdout.splitlines() if line.startswith("    id ")] == [
        "chg_3", "chg_2", "chg_1"]  # fmt: skip
    assert "delivery: webhook pending" in listed.stdout and "rejected: a false alarm" in listed.stdout
    assert "https://***@news.example/2" in listed.stdout, "credentials redacted"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["accept", "chg_1"],
        ["--limit", "0"],
        ["--limit", "x"],
        ["--limit"],
        ["--json", "--json"],
        ["--json=1"],
        ["--since", "--json"],
        ["--bogus"],
        ["--since="],
        ["--"],
    ],  # fmt: skip
)
def test_anything_else_goes_to_typer(args: list[str]) -> None:
    assert changes_options(args) is None


def test_the_fast_path_knows_the_options_typer_declares() -> None:
    command = get_command(app).commands["changes"]  # type: ignore[attr-defined]
    declared = {name: not param.is_flag for param in command.params for name in (*param.opts, *param.secondary_opts)}
    assert declared == CHANGES_OPTIONS


@pytest.mark.parametrize("word", ["version", "--version"])
def test_the_version_is_printed_without_typer(word: str) -> None:
    """The same version typer's command prints, without importing typer or any heavy library."""
    fast = subprocess.run([sys.executable, "-c", FAST, word], capture_output=True, text=True, timeout=60)
    typer = subprocess.run([sys.executable, "-c", TYPER, word], capture_output=True, text=True, timeout=60)
    assert (fast.returncode, fast.stdout) == (typer.returncode, typer.stdout) == (0, __version__ + "\n")
    assert fast.stderr.rpartition("\nheavy: ")[2] == "[]"
