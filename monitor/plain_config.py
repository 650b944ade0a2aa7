# SPDX-License-Identifier: MIT
"""The configuration of a plain file, read without pydantic: `monitor run --once` starts without it.

pydantic's import and the building of `monitor.config`'s models were about 0.09 s of CPU of a
`monitor run --once` that takes under a second over 1,000 unchanged feeds (`bench/run.py --only poll`),
for a file that is most often a list of feeds and a few limits. `load_plain` reads such a file into
`PlainConfig`, which has the same values under the same names as `monitor.config.Config`, and gives up
(returns None: `monitor.config.load_config` reads it, and names what is wrong) at anything it does not
take as plainly as pydantic does:

- a table or key it does not know: `[server]`, alert channels (`webhook`, `email`, `apprise`), a typo…;
- a value not of its natural TOML type: an integer written as `3.0` or `"3"`, `true` for a number…
  (pydantic may accept some of those; it decides);
- a value pydantic would refuse: out of range, not a duration, not an http(s) URL…;
- `MONITOR_LISTEN` set (it is validated by pydantic too).

What it takes, it takes with `monitor.config`'s own rules (the validators below are the ones pydantic
runs), so a file it reads gives the values `Config` would: tests/test_plain_config.py compares both on
every key, its defaults and its bounds. Where the files and the database are comes from
`monitor.locations`, as for `Config`.

    settings = load_plain(Path("monitor.toml")) or load_config(Path("monitor.toml"))
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor import locations
from monitor.urls import redact_url

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(value: Any) -> float:
    """Seconds from "30s", "15m", "6h", "1d" or a plain number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a duration: {value!r} (use 30s, 15m, 6h, 1d)")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def http_url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+\S*$", value.strip()):
        shown = redact_url(value) if isinstance(value, str) else value  # an error never echoes a credential
        raise ValueError(f"not an http(s) URL: {shown!r}")
    return value.strip()


def database_value(value: Any) -> str:
    """A SQLite path (str or Path) or a PostgreSQL URL, kept as written (a Path would fold its `//`)."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # type: ignore[return-value]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"not a file path or a postgresql:// URL: {value!r}")
    return value.strip()


@dataclass(frozen=True)
class PlainFeed:
    url: str
    interval: float | None = None


@dataclass(frozen=True)
class PlainDigest:
    path: Path | None = None
    title: str = "Microsoft-OpenAI compute: flagged changes"
    link: str | None = None
    max_items: int = 200


@dataclass(frozen=True)
class PlainDelivery:
    retry_initial: float = 30.0
    retry_max: float = 6 * 3600.0
    feed_failing_after: int = 5


@dataclass(frozen=True)
class PlainApprise:
    urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlainSchedule:
    backoff_max: float = 6 * 3600.0
    max_interval: float = 24 * 3600.0
    jitter: float = 0.1


@dataclass(frozen=True)
class PlainDaemon:
    lock: Path | None = None
    id: str | None = None
    lease: float = 300.0
    batch: int | None = None
    tick: float = 1.0
    deliver_every: float = 5.0
    stuck_after: float = 3600.0
    log_format: str = "text"
    log_level: str = "INFO"


@dataclass(frozen=True)
class PlainFetch:
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_connections: int = 10
    per_host: int = 2
    user_agent: str | None = None


@dataclass(frozen=True)
class PlainReading:
    workers: int = 0
    pool_from: int = 40


@dataclass(frozen=True)
class PlainSignals:
    enabled: bool = True
    alert: bool = False
    similar: int = 72


@dataclass(frozen=True)
class PlainConfig(locations.Located):
    """`monitor.config.Config`'s values for a plain file (no server, no alert channel)."""

    database: str | None = None
    interval: float = 15 * 60.0
    feed: list[PlainFeed] = field(default_factory=list)
    digest: PlainDigest = PlainDigest()
    delivery: PlainDelivery = PlainDelivery()
    webhook: list[Any] = field(default_factory=list)  # always empty: channels are read by `Config`
    email: None = None
    apprise: PlainApprise = PlainApprise()
    server: None = None
    fetch: PlainFetch = PlainFetch()
    reading: PlainReading = PlainReading()
    schedule: PlainSchedule = PlainSchedule()
    daemon: PlainDaemon = PlainDaemon()
    signals: PlainSignals = PlainSignals()
    source: Path | None = None


class _NotPlain(Exception):
    """The file holds something `load_plain` leaves to pydantic."""


Check = Callable[[Any], Any]


def _integer(low: int | None = None, high: int | None = None) -> Check:
    def check(value: Any) -> int:
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            raise _NotPlain
        return value

    return check


def _duration(*, positive: bool = False) -> Check:
    def check(value: Any) -> float:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _NotPlain
        try:
            seconds = parse_duration(value)
        except ValueError:
            raise _NotPlain from None
        if positive and not seconds > 0:
            raise _NotPlain
        return seconds

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
            raise _NotPlain
        return float(value)

    return check


def _of_type(kind: type) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise _NotPlain
        return value

    return check


def _choice(*allowed: str) -> Check:
    def check(value: Any) -> str:
        if type(value) is not str or value not in allowed:
            raise _NotPlain
        return value

    return check


def _path(value: Any) -> Path:
    if type(value) is not str:
        raise _NotPlain
    return Path(value)


def _url(value: Any) -> str:
    try:
        return http_url(value)
    except ValueError:
        raise _NotPlain from None


def _database(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain
    try:
        return database_value(value)
    except ValueError:
        raise _NotPlain from None


_text, _flag = _of_type(str), _of_type(bool)
# Each table's keys and how `monitor.config` validates them (tests/test_plain_config.py checks them against it)
_SECTIONS: dict[str, tuple[type, dict[str, Check]]] = {
    "digest": (PlainDigest, {"path": _path, "title": _text, "link": _url, "max_items": _integer(1)}),
    "delivery": (
        PlainDelivery,
        {"retry_initial": _duration(), "retry_max": _duration(), "feed_failing_after": _integer(1)},
    ),  # fmt: skip
    "schedule": (PlainSchedule, {"backoff_max": _duration(), "max_interval": _duration(), "jitter": _number(0, 0.5)}),
    "daemon": (
        PlainDaemon,
        {
            "lock": _path,
            "id": _text,
            "lease": _duration(positive=True),
            "batch": _integer(0),
            "tick": _duration(),
            "deliver_every": _duration(),
            "stuck_after": _duration(),
            "log_format": _choice("text", "json"),
            "log_level": _choice("DEBUG", "INFO", "WARNING", "ERROR"),
        },
    ),  # fmt: skip
    "fetch": (
        PlainFetch,
        {
            "timeout": _duration(),
            "max_bytes": _integer(1024),
            "max_connections": _integer(1, 100),
            "per_host": _integer(1, 20),
            "user_agent": _text,
        },
    ),  # fmt: skip
    "reading": (PlainReading, {"workers": _integer(0, 64), "pool_from": _integer(1)}),
    "signals": (PlainSignals, {"enabled": _flag, "alert": _flag, "similar": _integer(50, 100)}),
}
_FEED = {"url": _url, "interval": _duration()}


def load_plain(path: Path | None) -> PlainConfig | None:
    """The configuration from `path` (else ./monitor.toml if present, else the defaults) when it is plain,
    with the environment over it as `monitor.config.with_environment` puts it; None for anything else."""
    from monitor.errors import ConfigError
    from rules.tomlfile import read_toml

    if os.environ.get(locations.LISTEN_ENV):
        return None
    if path is None and not locations.DEFAULT_CONFIG.is_file():
        return _with_environment(PlainConfig())
    path = path or locations.DEFAULT_CONFIG
    try:
        table = read_toml(path, error=ConfigError, what="configuration file")
    except ConfigError:
        return None  # `load_config` says what is wrong, in its words
    try:
        return _with_environment(_plain(table, source=path.resolve()))
    except _NotPlain:
        return None


def _plain(table: dict[str, Any], *, source: Path) -> PlainConfig:
    values: dict[str, Any] = {"source": source}
    for key, value in table.items():
        if key in _SECTIONS:
            values[key] = _section(key, value)
        elif key == "feed":
            if type(value) is not list:
                raise _NotPlain
            values[key] = [PlainFeed(**_checked(entry, _FEED, required=("url",))) for entry in value]
        elif key == "database":
            values[key] = _database(value)
        elif key == "interval":
            values[key] = _duration()(value)
        else:
            raise _NotPlain  # a channel, [server], or a key `Config` has no name for
    return PlainConfig(**values)


def _section(name: str, value: Any) -> Any:
    kind, checks = _SECTIONS[name]
    return kind(**_checked(value, checks))


def _checked(table: Any, checks: dict[str, Check], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    if type(table) is not dict or any(key not in table for key in required):
        raise _NotPlain
    values = {}
    for key, value in table.items():
        check = checks.get(key)
        if check is None:
            raise _NotPlain
        values[key] = check(value)
    return values


def _with_environment(config: PlainConfig) -> PlainConfig:
    """`MONITOR_DAEMON_ID` over `[daemon] id`, as `monitor.config.with_environment` puts it."""
    daemon_id = os.environ.get(locations.DAEMON_ID_ENV)
    if daemon_id:
        return dataclasses.replace(config, daemon=dataclasses.replace(config.daemon, id=daemon_id))
    return config
