# SPDX-License-Identifier: MIT
"""`monitor.plain_config` reads a plain file without pydantic into the values `monitor.config.Config` gives
it, and leaves anything else to `Config`: compared key by key, at the defaults and at every bound; and
`monitor run --once` through it and through `Config` prints the same and stores the same state for each
feed, on loopback feeds that change, do not change and fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import socket
from pathlib import Path
from typing import Any

import pytest

from monitor import config as pydantic_config
from monitor.errors import ConfigError
from monitor.once import run_once
from monitor.plain_config import _FEED, _SECTIONS, PlainConfig, load_plain
from storage import Store
from tests.support.httpserver import LocalServer
from tests.test_pipeline import serve_corpus


def both(tmp_path: Path, text: str) -> tuple[PlainConfig | None, pydantic_config.Config | str]:
    """The file read plainly (None: left to pydantic), and by `Config` (its error line when it refuses it)."""
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    try:
        validated: pydantic_config.Config | str = pydantic_config.load_config(path)
    except ConfigError as exc:
        validated = str(exc)
    return load_plain(path), validated


def values(config: PlainConfig | pydantic_config.Config) -> dict[str, Any]:
    """Every value under its name, and where the files go."""
    dumped = dataclasses.asdict(config) if isinstance(config, PlainConfig) else config.model_dump()
    dumped.pop("source", None)
    places = {"source": config.source, "database_path": config.database_path, "digest_path": config.digest_path,
              "digest_link": config.digest_link, "database_url": config.database_url}  # fmt: skip
    return dumped | places


def test_the_defaults_are_config_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./monitor.toml
    plain = load_plain(None)
    assert plain is not None and values(plain) == values(pydantic_config.load_config(None))


def test_every_key_of_the_sections_read_is_config_s() -> None:
    """A key added to `Config` is either read here too, or its table is left to pydantic (a test fails)."""
    for name, (_kind, checks) in _SECTIONS.items():
        model = pydantic_config.Config.model_fields[name].annotation
        assert isinstance(model, type) and set(checks) == set(model.model_fields), name
    assert set(_FEED) == set(pydantic_config.FeedConfig.model_fields)
    read = {*_SECTIONS, "feed", "database", "interval"}
    left_to_pydantic = {"webhook", "email", "apprise", "server", "source"}
    assert read | left_to_pydantic == set(pydantic_config.Config.model_fields)


PLAIN = {  # files read without pydantic, to the values `Config` gives them
    "feeds": '[[feed]]\nurl = "https://a.example/feed.xml"\n[[feed]]\nurl = " http://b.example/rss "\n'
             'interval = "5m"\n',
    "durations": 'interval = 90\n[schedule]\nbackoff_max = "2h"\nmax_interval = 3600.5\njitter = 0\n',
    "database and digest": 'database = " data/m.db "\n[digest]\npath = "d.xml"\ntitle = "T"\nmax_items = 1\n'
                           'link = "https://example.com/"\n',
    "fetch": '[fetch]\ntimeout = "30s"\nmax_bytes = 1024\nmax_connections = 100\nper_host = 20\nuser_agent = "me"\n',
    "reading, signals": '[reading]\nworkers = 64\npool_from = 1\n[signals]\nenabled = false\nalert = true\n'
                        'similar = 100\n',
    "daemon": '[daemon]\nlock = "/tmp/x.lock"\nid = "d1"\nlease = "1s"\nbatch = 0\ntick = "1s"\ndeliver_every = 2\n'
              'stuck_after = "1d"\nlog_format = "json"\nlog_level = "DEBUG"\n',
    "delivery": '[delivery]\nretry_initial = "1m"\nretry_max = "1d"\nfeed_failing_after = 1\n',
    "bounds, low": '[fetch]\nmax_connections = 1\nper_host = 1\n[reading]\nworkers = 0\n[signals]\nsimilar = 50\n'
                   '[schedule]\njitter = 0.5\n',
    "empty tables": "[fetch]\n[reading]\n[daemon]\n",
    "postgres": 'database = "postgresql://u:pw@db.example/monitor"\n',
}  # fmt: skip

LEFT_TO_PYDANTIC = {  # files `load_plain` does not read: pydantic reads them, or names what is wrong
    "an unknown key": "[fetch]\nspeed = 3\n",
    "an unknown table": "[fetches]\ntimeout = 3\n",
    "a bad duration": 'interval = "soon"\n',
    "a negative duration": "interval = -1\n",
    "a lease of 0": "[daemon]\nlease = 0\n",
    "too many connections": "[fetch]\nmax_connections = 101\n",
    "too few bytes": "[fetch]\nmax_bytes = 1023\n",
    "jitter too high": "[schedule]\njitter = 0.51\n",
    "a number as text": '[fetch]\nmax_connections = "5"\n',
    "a whole float": "[fetch]\nmax_connections = 5.0\n",
    "a boolean for a number": "[fetch]\nper_host = true\n",
    "a boolean for a duration": "interval = true\n",
    "a number for a flag": "[signals]\nenabled = 1\n",
    "a log level in lower case": '[daemon]\nlog_level = "info"\n',
    "not a URL": '[[feed]]\nurl = "ftp://a.example/"\n',
    "a feed without url": '[[feed]]\ninterval = "5m"\n',
    "a feed with more": '[[feed]]\nurl = "https://a.example/"\nname = "A"\n',
    "feed as a table": '[feed]\nurl = "https://a.example/"\n',
    "a section as a value": 'fetch = 3\n',
    "an empty database": 'database = " "\n',
    "a webhook": '[[webhook]]\nurl = "https://hook.example/"\n',
    "a server": '[server]\nlisten = "127.0.0.1:0"\n',
    "apprise": '[apprise]\nurls = []\n',
    "a key named source": 'source = "x"\n',
    "invalid TOML": "interval = \n",
}  # fmt: skip


@pytest.mark.parametrize("case", PLAIN)
def test_a_plain_file_gives_config_s_values(case: str, tmp_path: Path) -> None:
    plain, validated = both(tmp_path, PLAIN[case])
    assert isinstance(validated, pydantic_config.Config), validated
    assert plain is not None and values(plain) == values(validated)
    if case == "database and digest":
        (tmp_path / "data").mkdir()
        assert plain.prepare_database() == validated.prepare_database() == tmp_path / "data" / "m.db"


@pytest.mark.parametrize("case", LEFT_TO_PYDANTIC)
def test_anything_else_is_left_to_pydantic(case: str, tmp_path: Path) -> None:
    plain, _validated = both(tmp_path, LEFT_TO_PYDANTIC[case])
    assert plain is None


def test_the_environment_goes_over_the_file_as_config_puts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_DAEMON_ID", "from-env")
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    plain, validated = both(tmp_path, '[daemon]\nid = "from-file"\n')
    assert plain is not None and isinstance(validated, pydantic_config.Config)
    assert values(plain) == values(validated) and plain.daemon.id == "from-env"
    monkeypatch.setenv("MONITOR_LISTEN", "127.0.0.1:0")  # validated by pydantic
    assert both(tmp_path, "")[0] is None


# `monitor run --once` through the plain configuration and through `Config`: the same lines, the same state


@pytest.fixture
def feeds(local_server: LocalServer) -> list[str]:
    """Loopback feeds: one that changes then answers 304, one failing with Retry-After, one 404, one closed port."""
    serve_corpus(local_server)
    local_server.route("/busy.xml", b"", status=503, headers={"Retry-After": "7200"})
    local_server.route("/gone.xml", b"", status=404)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    return [local_server.url("/feed.xml"), local_server.url("/busy.xml"), local_server.url("/gone.xml"),
            f"http://127.0.0.1:{closed}/feed.xml"]  # fmt: skip


def _feeds_stored(database: Path) -> list[dict[str, Any]]:
    with Store.open(database) as store:
        return [dict(row) for row in store.sql.query("SELECT * FROM feeds ORDER BY url")]


def _cycles(folder: Path, urls: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            *, plain: bool) -> tuple[list[str], list[list[dict[str, Any]]]]:  # fmt: skip
    folder.mkdir()
    config = folder / "monitor.toml"
    config.write_text("".join(f'[[feed]]\nurl = "{url}"\n' for url in urls) + f'[digest]\npath = "{folder}/d.xml"\n'
                      '[fetch]\nper_host = 4\n[schedule]\njitter = 0.2\n', encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("MONITOR_DB", str(folder / "monitor.db"))
    if not plain:
        monkeypatch.setattr("monitor.plain_config.load_plain", lambda path: None)
    outputs, states = [], []
    for cycle in range(2):  # a cold cycle (the feed changed), then one where it answers 304
        random.seed(cycle)  # the same jitter on both sides
        run_once(config)
        outputs.append(capsys.readouterr().out)
        states.append(_feeds_stored(folder / "monitor.db"))
    monkeypatch.undo()
    return outputs, states


def test_run_once_stores_and_prints_the_same_through_either_configuration(
    feeds: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = _cycles(tmp_path / "plain", feeds, monkeypatch, capsys, plain=True)
    validated = _cycles(tmp_path / "pydantic", feeds, monkeypatch, capsys, plain=False)
    assert plain[0] == validated[0]
    assert "(1 unchanged, 3 failed)" in plain[0][1]
    for fast, normal in zip(plain[1], validated[1], strict=True):
        for one, other in zip(fast, normal, strict=True):
            # due times: the same wait, from a moment a few milliseconds apart
            due, other_due = (dt.datetime.fromisoformat(row.pop("next_check")) for row in (one, other))
            assert abs((due - other_due).total_seconds()) < 5
            for row in (one, other):
                for moment in ("added_at", "last_polled"):  # when: the sides ran one after the other
                    row.pop(moment, None)
            assert one == other
