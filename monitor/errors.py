# SPDX-License-Identifier: MIT
"""Every error the service raises on purpose.

    MonitorError
    ├── InputError        a SOURCE given to `check` cannot be read (missing, binary, unreachable…)
    ├── FetchError        an HTTP fetch failed (status, timeout, size, redirects)
    ├── ExtractError      a page yielded no article text
    ├── ConfigError       the configuration is invalid
    └── DeliveryError     an alert could not be delivered
    RuleError             (rules' own) a rule or vocabulary file is invalid (names the file and the key)
    StorageError          (storage's own) the database cannot be opened, migrated, read or written

The layers below the service own their errors (`rules.errors`,
`storage.errors`): they import nothing from it. `EXPECTED` is every error the
service explains in one line; catch it, not MonitorError alone. Each message is one line that names the
input it is about, so the CLI can print it as it is.
"""

from __future__ import annotations

from monitor.urls import redact_urls_in
from rules.errors import RuleError
from storage.errors import StorageError


class MonitorError(Exception):
    """Base class: a failure the service expected and can explain in one line."""


class InputError(MonitorError):
    """A source given on the command line cannot be read."""


class FetchError(MonitorError):
    """An HTTP fetch failed."""


class ExtractError(MonitorError):
    """A page yielded no article text."""


class ConfigError(MonitorError):
    """The configuration is invalid."""


class DeliveryError(MonitorError):
    """An alert could not be delivered."""


EXPECTED: tuple[type[Exception], ...] = (MonitorError, RuleError, StorageError)
__all__ = ["EXPECTED", "ConfigError", "DeliveryError", "ExtractError", "FetchError", "InputError", "MonitorError",
           "RuleError", "StorageError", "cli_error", "error_line"]  # fmt: skip


def cli_error(exc: BaseException) -> str:
    """The one line the `monitor` command prints on stderr for an expected error (then exits 1)."""
    return f"monitor: error: {exc}"


def error_line(text: str, limit: int = 1000) -> str:
    """An error as stored and logged: one line, and not a whole page of it."""
    line = redact_urls_in(" ".join(text.split()))  # a URL's credentials never reach a stored or shown error
    return line if len(line) <= limit else line[: limit - 1] + "…"
