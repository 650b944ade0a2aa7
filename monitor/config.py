# SPDX-License-Identifier: MIT
"""The configuration: `monitor.toml`, validated, with defaults for every key.

Where it comes from, in order: `--config PATH`; `monitor.toml` in the working
directory if present; built-in defaults. `MONITOR_DB` overrides `database`,
which is a SQLite file or a `postgresql://` URL (PostgreSQL, several daemons).
Every secret can come from the environment instead of the file
(`secret_env`, `password_env`). An unknown key, a wrong type or a bad duration
is one line naming the file and the key:

    monitor.toml: key 'feed[2].interval': not a duration: '5 minutes' (use 30s, 15m, 6h, 1d)

Relative paths in the file are relative to the file's directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from monitor import locations
from monitor.errors import ConfigError
from monitor.locations import APP_NAME, DAEMON_ID_ENV, DEFAULT_CONFIG, LISTEN_ENV, data_dir, default_database
from monitor.plain_config import PlainConfig, database_value, http_url, parse_duration
from rules.tomlfile import read_toml
from storage.postgres_url import redact

__all__ = ["APP_NAME", "DEFAULT_CONFIG", "Config", "data_dir", "default_database", "load_config"]
Duration = Annotated[float, BeforeValidator(parse_duration)]
HttpUrl = Annotated[str, BeforeValidator(http_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Section):
    url: HttpUrl
    interval: Duration | None = None


class DigestConfig(_Section):
    path: Path | None = None  # default: beside the database, "<database stem>.digest.xml"
    title: str = "Microsoft-OpenAI compute: flagged changes"
    link: HttpUrl | None = None  # default: the daemon's page when [server] is set, else the digest file itself
    max_items: int = Field(default=200, ge=1)


class DeliveryConfig(_Section):
    retry_initial: Duration = 30.0
    retry_max: Duration = 6 * 3600.0
    feed_failing_after: int = Field(default=5, ge=1)  # consecutive failed polls before a feed.failing alert


class WebhookConfig(_Section):
    url: HttpUrl
    secret: str | None = None
    secret_env: str | None = None


class EmailConfig(_Section):
    host: str
    port: int = 587
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    sender: str
    recipients: list[str] = Field(min_length=1)


class AppriseConfig(_Section):
    urls: list[str] = []


class ScheduleConfig(_Section):
    backoff_max: Duration = 6 * 3600.0  # a failing feed waits at most this long between polls
    max_interval: Duration = 24 * 3600.0  # what a server's TTL or cache headers may stretch an interval to
    jitter: float = Field(default=0.1, ge=0, le=0.5)  # ± this share of each wait


class DaemonConfig(_Section):
    lock: Path | None = None  # default: the database path + ".lock" (SQLite only: daemons share PostgreSQL)
    id: str | None = None  # this daemon's name in leases, /healthz, /metrics; default: host:pid
    lease: Duration = Field(default=300.0, gt=0)  # a feed or alert taken by a daemon is its own this long, renewed
    # while it works: a daemon that dies gives its feeds back after this
    batch: int | None = Field(default=None, ge=0)  # the most feeds one daemon polls at once; default: every due
    # feed on SQLite (one daemon), 50 on PostgreSQL (so that several share the work); 0: no limit
    tick: Duration = 1.0  # how often the scheduler looks for due feeds
    deliver_every: Duration = 5.0  # how often due alerts are delivered
    stuck_after: Duration = 3600.0  # alerts pending with none delivered this long: /healthz says 503
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


def parse_listen(listen: str) -> tuple[str, int]:
    """("127.0.0.1", 8080) for "127.0.0.1:8080"; "[::1]:8080" for IPv6; ":8080" for every interface."""
    host, sep, port = listen.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(
            f"listen address {listen!r}: expected host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080"
        )
    if host.startswith("["):
        if not host.endswith("]"):
            raise ValueError(f"listen address {listen!r}: an IPv6 address ends with ']', e.g. [::1]:8080")
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"listen address {listen!r}: put an IPv6 address in brackets, e.g. [::1]:8080")
    if not re.fullmatch(r"[\w.:%-]*", host):
        raise ValueError(f"listen address {listen!r}: {host!r} is not a host name or an IP address")
    return host or "0.0.0.0", int(port)


def _listen(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a listen address: {value!r} (use host:port, e.g. 127.0.0.1:8080)")
    parse_listen(value)
    return value.strip()


class ServerConfig(_Section):
    listen: Annotated[str, BeforeValidator(_listen)] = "127.0.0.1:8080"  # port 0: any free port
    # reviews from the page: always on loopback; elsewhere only with this token (from the environment)
    review_token_env: str | None = None

    @property
    def url(self) -> str:
        """Where a browser on this machine finds the page (a wildcard address is reached on loopback)."""
        host, port = parse_listen(self.listen)
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


class FetchConfig(_Section):
    timeout: Duration = 20.0
    max_bytes: int = Field(default=5_000_000, ge=1024)
    max_connections: int = Field(default=10, ge=1, le=100)
    per_host: int = Field(default=2, ge=1, le=20)
    user_agent: str | None = None


class ReadingConfig(_Section):
    workers: int = Field(default=0, ge=0, le=64)  # processes that read pages; 0: one per core (at most 8)
    pool_from: int = Field(default=40, ge=1)  # fewer new pages in a cycle are read in a thread


class SignalsConfig(_Section):
    enabled: bool = True  # look for signals (sentences of change no rule read) in every new article
    alert: bool = False  # also send each new signal to the alert channels (default: page and digest only)
    similar: int = Field(default=72, ge=50, le=100)  # how close (0-100) to a known sentence says nothing new


class Config(_Section, locations.Located):
    """The whole configuration (see ../shared/spec/CONTRACT.md, "Configuration")."""

    database: Annotated[str, BeforeValidator(database_value)] | None = None  # a SQLite file (relative to this file)
    # or a postgresql:// URL
    interval: Duration = 15 * 60.0
    feed: list[FeedConfig] = []
    digest: DigestConfig = DigestConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    webhook: list[WebhookConfig] = []
    email: EmailConfig | None = None
    apprise: AppriseConfig = AppriseConfig()
    server: ServerConfig | None = None
    fetch: FetchConfig = FetchConfig()
    reading: ReadingConfig = ReadingConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    daemon: DaemonConfig = DaemonConfig()
    signals: SignalsConfig = SignalsConfig()
    source: Path | None = Field(default=None, exclude=True)  # the file it was read from

    @property
    def database_label(self) -> str:
        """The database as logs and errors name it: the file, or the URL without its password."""
        url = self.database_url
        return redact(url) if url else str(self.database_path)


# What a cycle reads its settings from: a validated configuration, or a plain file read without pydantic
Settings: TypeAlias = Config | PlainConfig


def load_config(path: Path | None = None) -> Config:
    """The configuration from `path`, or ./monitor.toml if present, or the defaults."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return with_environment(Config())
        path = DEFAULT_CONFIG
    table = read_toml(path, error=ConfigError, what="configuration file")
    try:
        config = Config.model_validate({**table, "source": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None
    return with_environment(config)


def with_environment(config: Config) -> Config:
    """`MONITOR_DAEMON_ID` and `MONITOR_LISTEN` over `[daemon] id` and `[server] listen`: one configuration
    file for N daemons of a systemd template unit (monitor@.service), each instance naming itself."""
    daemon_id, listen = os.environ.get(DAEMON_ID_ENV), os.environ.get(LISTEN_ENV)
    if daemon_id:
        config = config.model_copy(update={"daemon": config.daemon.model_copy(update={"id": daemon_id})})
    if listen:
        try:
            server = ServerConfig.model_validate({**(config.server.model_dump() if config.server else {}),
                                                  "listen": listen})  # fmt: skip
        except ValidationError as exc:
            raise ConfigError(f"{LISTEN_ENV}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
        config = config.model_copy(update={"server": server})
    return config


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in error["loc"]).lstrip(".")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "missing"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"key '{where}': {message}{more}"
