# SPDX-License-Identifier: MIT
"""`monitor changes` and `monitor run --once` through the console script's fast path (`monitor.entry`) and
through the typer CLI (`monitor.cli`): the same bytes on stdout and stderr and the same exit status, for
every option they take and for their errors; and the fast path imports none of typer, rich (nor, for the
listing, pydantic and sqlite-utils)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from monitor import __version__
from monitor.cli import app
from monitor.entry import CHANGES_OPTIONS, RUN_OPTIONS, changes_options, run_options
from storage import Store
from tests.support.httpserver import LocalServer
from tests.test_pipeline import serve_corpus

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


# `monitor run --once` ---------------------------------------------------------------------------------------------

RUN_HEAVY = ("typer", "rich")  # pydantic validates a configuration that is not plain (monitor.plain_config)
FAST_RUN = FAST.replace(repr(HEAVY), repr(RUN_HEAVY))


def _logged(stderr: str) -> str:
    """stderr without what differs from one run to the next: log times, alert ids, the webhook's port."""
    stderr = re.sub(r"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", "", stderr)
    return re.sub(r"alr_[0-9a-f]+", "alr_", stderr)


def run_command(code: str, args: list[str], *, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-c", code, "run", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=180)  # fmt: skip
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def served(local_server: LocalServer, tmp_path: Path) -> dict[str, str]:
    """Feeds on loopback: the dev corpus (validators: a 304 the second time), one down, one unreachable."""
    serve_corpus(local_server)
    local_server.route("/down.xml", b"", status=503)
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening now
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    return {"news": local_server.url("/feed.xml"), "down": local_server.url("/down.xml"),
            "closed": f"http://127.0.0.1:{closed}/feed.xml"}  # fmt: skip


RUN_CASES = {  # name → (the configuration's body, or None for no --config; arguments; cycles)
    "a cold cycle, then an unchanged one": ('[[feed]]\nurl = "{news}"\n[[feed]]\nurl = "{down}"\n', [], 2),
    "alerts to a webhook that does not answer": (
        '[[feed]]\nurl = "{news}"\n[[webhook]]\nurl = "{closed}"\nsecret = "whsec_c2VjcmV0LWZvci10ZXN0cw=="\n', [], 1),
    "every feed fails": ('[[feed]]\nurl = "{down}"\n[[feed]]\nurl = "{closed}"\n', [], 1),
    "an unknown key": ('[fetch]\nspeed = 3\n', [], 1),
    "a bad duration": ('interval = "soon"\n', [], 1),
    "a missing file": (None, ["--once", "--config", "{folder}/missing.toml"], 1),
    "--config=PATH after --once": ('[[feed]]\nurl = "{news}"\n', ["--once", "--config={folder}/monitor.toml"], 1),
    "./monitor.toml": ('[[feed]]\nurl = "{down}"\n[[feed]]\nurl = "{news}"\n', ["--once"], 1),
}  # fmt: skip


@pytest.mark.parametrize("case", RUN_CASES)
def test_run_once_prints_what_typer_prints(served: dict[str, str], tmp_path: Path, case: str) -> None:
    body, args, cycles = RUN_CASES[case]
    outcomes = []
    for side, code in (("fast", FAST_RUN), ("typer", TYPER)):
        folder = tmp_path / side  # each side its own database and digest
        folder.mkdir()
        if body is not None:
            text = body.format(**served) + f'[digest]\npath = "{folder}/digest.xml"\n'
            (folder / "monitor.toml").write_text(text, encoding="utf-8")
        words = [arg.format(folder=folder) for arg in args] or ["--config", str(folder / "monitor.toml"), "--once"]
        env = {**os.environ, "MONITOR_DB": str(folder / "monitor.db")}
        for name in ("TTY_COMPATIBLE", "FORCE_COLOR"):
            env.pop(name, None)
        runs = [run_command(code, words, env=env, cwd=folder) for _ in range(cycles)]
        outcomes.append([(status, out, _logged(err.replace(str(folder), "<folder>"))) for status, out, err in runs])
    fast, typer = outcomes
    for (status, out, err), (typer_status, typer_out, typer_err) in zip(fast, typer, strict=True):
        stderr, _, heavy = err.rpartition("\nheavy: ")
        assert heavy == "[]", f"the fast path imported {heavy}"
        assert (status, out, stderr) == (typer_status, typer_out, typer_err)
        assert (status == 0) == bool(out), "a summary, or an error"
        assert status == 0 or len(stderr.splitlines()) == 1
    if case.startswith("a cold cycle"):
        assert "changes flagged" in fast[0][1] and "(1 unchanged, 1 failed)" in fast[1][1]
    if case.startswith("alerts"):
        assert " failed" in fast[0][1].splitlines()[-1], "the delivery's summary, after the cycle's"


def test_run_once_on_a_terminal_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal gets typer's command and its live status line; TTY_COMPATIBLE or FORCE_COLOR make rich take
    any output for a terminal, so they do too."""
    from monitor import entry

    monkeypatch.setattr(sys, "argv", ["monitor", "run", "--once"])
    called: list[str] = []
    monkeypatch.setattr("monitor.cli.main", lambda: called.append("typer"))
    for name in entry.TERMINAL_ENVIRONMENT:
        monkeypatch.setenv(name, "1")
        entry.main()
        monkeypatch.delenv(name)
    assert called == ["typer", "typer"]


@pytest.mark.parametrize(
    ("args", "taken"),
    [
        (["--once"], {"config_file": None}),
        (["--once", "--config", "m.toml"], {"config_file": Path("m.toml")}),
        (["--config=m.toml", "--once"], {"config_file": Path("m.toml")}),
        ([], None),  # typer says --once is needed
        (["--help"], None),
        (["--once", "--once"], None),
        (["--once=1"], None),
        (["--once", "--config"], None),
        (["--once", "--config", "--json"], None),
        (["--once", "--config="], None),
        (["--once", "--bogus"], None),
        (["--once", "extra"], None),
    ],  # fmt: skip
)
def test_run_options_are_taken_as_typer_takes_them(args: list[str], taken: dict[str, object] | None) -> None:
    assert run_options(args) == taken


def test_the_fast_path_knows_the_options_of_run() -> None:
    command = get_command(app).commands["run"]  # type: ignore[attr-defined]
    declared = {name: not param.is_flag for param in command.params for name in (*param.opts, *param.secondary_opts)}
    assert declared == RUN_OPTIONS


UNCHANGED_NEEDS_NONE_OF = ("typer", "rich", "monitor.collecting.feeds", "feedparser", "feedgen", "jinja2",
                           "pydantic", "sqlite_utils", "aiohttp")  # fmt: skip


def test_an_unchanged_cycle_imports_only_what_it_needs(served: dict[str, str], tmp_path: Path) -> None:
    """A cycle whose feeds all answer 304 (the commonest) parses no feed and leaves the digest as it was:
    neither the feed parser (monitor.collecting.feeds, feedparser) nor the digest's writer (feedgen, jinja2)
    is imported; nor, the configuration being plain and the database current, pydantic or sqlite-utils;
    nor aiohttp, the feed being plain http (monitor.collecting.plain)."""
    code = FAST.replace(repr(HEAVY), repr(UNCHANGED_NEEDS_NONE_OF))
    (tmp_path / "monitor.toml").write_text(f'[[feed]]\nurl = "{served["news"]}"\n', encoding="utf-8")
    env = {**os.environ, "MONITOR_DB": str(tmp_path / "monitor.db")}
    first = run_command(code, ["--once"], env=env, cwd=tmp_path)
    again = run_command(code, ["--once"], env=env, cwd=tmp_path)
    assert first[0] == again[0] == 0 and "(1 unchanged, 0 failed)" in again[1], again
    assert "feedparser" in first[2].rpartition("\nheavy: ")[2], "the first cycle parsed the feed"
    assert "feedgen" in first[2].rpartition("\nheavy: ")[2], "and wrote the digest"
    assert again[2].rpartition("\nheavy: ")[2] == "[]"
