# SPDX-License-Identifier: MIT
"""The configuration: `monitor.toml`, validated, with defaults for every key.

Where it comes from, in order: `--config PATH`; `monitor.toml` in the working
directory if present; built-in defaults. `MONITOR_DB` overrides `database`.
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
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from monitor.errors import ConfigError
from monitor.tomlfile import read_toml

APP_NAME = "msft-openai-monitor"
DEFAULT_CONFIG = Path("monitor.toml")
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


Duration = Annotated[float, BeforeValidator(parse_duration)]


def _http_url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+\S*$", value.strip()):
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value.strip()


HttpUrl = Annotated[str, BeforeValidator(_http_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedConfig(_Section):
    url: HttpUrl
    interval: Duration | None = None


class DigestConfig(_Section):
    path: Path | None = None
    title: str = "Microsoft-OpenAI compute: flagged changes"
    link: str = "https://github.com/"
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
    lock: Path | None = None  # default: the database path + ".lock"
    tick: Duration = 1.0  # how often the scheduler looks for due feeds
    deliver_every: Duration = 5.0  # how often due alerts are delivered
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class ServerConfig(_Section):
    listen: str = "127.0.0.1:8080"


class FetchConfig(_Section):
    timeout: Duration = 20.0
    max_bytes: int = Field(default=5_000_000, ge=1024)
    max_connections: int = Field(default=10, ge=1, le=100)
    per_host: int = Field(default=2, ge=1, le=20)
    user_agent: str | None = None


class ReadingConfig(_Section):
    workers: int = Field(default=0, ge=0, le=64)  # processes that read pages; 0: one per core (at most 8)
    pool_from: int = Field(default=40, ge=1)  # fewer new pages in a cycle are read in a thread


class Config(_Section):
    """The whole configuration (see ../shared/spec/CONTRACT.md, "Configuration")."""

    database: Path | None = None
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
    source: Path | None = Field(default=None, exclude=True)  # the file it was read from

    @property
    def database_path(self) -> Path:
        """`MONITOR_DB`, else `database`, else monitor.db under the user's data directory."""
        if env := os.environ.get("MONITOR_DB"):
            return Path(env)
        if self.database is not None:
            return self._relative(self.database)
        return data_dir() / "monitor.db"

    @property
    def digest_path(self) -> Path:
        return self._relative(self.digest.path) if self.digest.path else data_dir() / "digest.xml"

    def _relative(self, path: Path) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return path if path.is_absolute() else base / path


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_config(path: Path | None = None) -> Config:
    """The configuration from `path`, or ./monitor.toml if present, or the defaults."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return Config()
        path = DEFAULT_CONFIG
    table = read_toml(path, error=ConfigError, what="configuration file")
    try:
        return Config.model_validate({**table, "source": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None


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
