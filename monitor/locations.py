# SPDX-License-Identifier: MIT
"""Where the configuration and the database are, without pydantic: `monitor.config` validates the
file and asks here; `monitor changes` asks here directly when there is no file to validate, and so
starts without pydantic's import.

The database is `MONITOR_DB`, else the file's `database` (relative to the file's directory), else
monitor.db under the user's data directory; or a `postgresql://` URL given either way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from monitor.errors import ConfigError
from storage.postgres_url import is_postgres_url

APP_NAME = "msft-openai-monitor"
DEFAULT_CONFIG = Path("monitor.toml")
# The environment over the file: MONITOR_DB here; these two in `config.with_environment`, which validates them
DAEMON_ID_ENV, LISTEN_ENV = "MONITOR_DAEMON_ID", "MONITOR_LISTEN"


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_database() -> Path:
    return data_dir() / "monitor.db"


def needs_validation(config: Path | None) -> bool:
    """Whether the configuration takes `monitor.config` (pydantic) to read: a file (`config`, else
    ./monitor.toml) or an environment variable that must be validated. Without either, the defaults
    apply and `database_location(None, None)` is where the database is."""
    return config is not None or DEFAULT_CONFIG.is_file() or bool(os.environ.get(LISTEN_ENV))


def database_url(database: str | None) -> str | None:
    """The PostgreSQL URL when `MONITOR_DB` (else `database`) is one; None for a SQLite file."""
    value = os.environ.get("MONITOR_DB") or database
    return value if is_postgres_url(value) else None


def database_path(database: str | None, source: Path | None) -> Path:
    """The SQLite file: `MONITOR_DB`, else `database` (relative to `source`'s directory), else monitor.db
    under the user's data directory. For a PostgreSQL database, the place files kept beside a database
    go (the digest): the data directory, under the database's name."""
    if url := database_url(database):
        return data_dir() / (urlsplit(url).path.strip("/") or "postgresql")
    if env := os.environ.get("MONITOR_DB"):
        return Path(env)
    if database is not None:
        return relative(Path(database), source)
    return default_database()


def database_location(database: str | None, source: Path | None) -> Path | str:
    """The database path, ready to open (or the PostgreSQL URL, as is): the default data directory is made
    if missing; any other missing directory is a one-line error (a typo must not create directories)."""
    if url := database_url(database):
        data_dir().mkdir(parents=True, exist_ok=True)  # where the digest goes by default
        return url
    path = database_path(database, source)
    if path.parent.is_dir():
        return path  # first: the default's place is asked of platformdirs (5 ms) only when it is missing
    if path == default_database():
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        where = "MONITOR_DB" if os.environ.get("MONITOR_DB") else f"{source or 'configuration'}: key 'database'"
        raise ConfigError(f"{where}: directory {path.parent} does not exist (create it first)")
    return path


def relative(path: Path, source: Path | None) -> Path:
    """`path` as the file at `source` means it: relative to its directory (no file: the working one)."""
    base = source.parent if source else Path.cwd()
    return path if path.is_absolute() else base / path


def digest_path(configured: Path | None, database: Path, source: Path | None) -> Path:
    """`[digest] path` (relative to `source`'s directory), else beside the database it is made from:
    monitor.db → monitor.digest.xml."""
    if configured:
        return relative(configured, source)
    return database.with_name(f"{database.stem}.digest.xml")


def digest_link(configured: str | None, server_url: str | None, digest: Path) -> str:
    """The digest channel's link: `[digest] link`, else the daemon's page, else the digest file."""
    return configured or server_url or digest.absolute().as_uri()


class Located:
    """Where a configuration's database and digest are, from its `database`, `source`, `digest`
    and `server`: the members `monitor.config.Config` (validated) and
    `monitor.plain_config.PlainConfig` (read without pydantic) share."""

    if TYPE_CHECKING:
        database: str | None
        source: Path | None
        digest: Any  # `path` and `link`
        server: Any  # None, or the daemon's page at `url`

    @property
    def database_url(self) -> str | None:
        """The PostgreSQL URL when `MONITOR_DB` (else `database`) is one; None for a SQLite file."""
        return database_url(self.database)

    @property
    def database_path(self) -> Path:
        """The SQLite file (`database_path`): `MONITOR_DB`, else `database`, else monitor.db under
        the user's data directory; for PostgreSQL, where files kept beside the database go."""
        return database_path(self.database, self.source)

    def prepare_database(self) -> Path | str:
        """The database path, ready to open, or the PostgreSQL URL (`database_location`)."""
        return database_location(self.database, self.source)

    @property
    def digest_path(self) -> Path:
        """`[digest] path`, else beside the database it is made from: monitor.db → monitor.digest.xml."""
        return digest_path(self.digest.path, self.database_path, self.source)

    @property
    def digest_link(self) -> str:
        """The digest channel's link: `[digest] link`, else the daemon's page, else the digest file."""
        return digest_link(self.digest.link, self.server.url if self.server else None, self.digest_path)
