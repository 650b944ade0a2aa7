# SPDX-License-Identifier: MIT
"""Every error the service raises on purpose.

    MonitorError
    ├── InputError        a SOURCE given to `check` cannot be read (missing, binary, unreachable…)
    ├── FetchError        an HTTP fetch failed (status, timeout, size, redirects)
    ├── ExtractError      a page yielded no article text
    ├── RuleError         a rule or vocabulary file is invalid (names the file and the key)
    ├── ConfigError       the configuration is invalid
    ├── StorageError      the database cannot be opened or migrated
    └── DeliveryError     an alert could not be delivered

Each message is one line that names the input it is about, so the CLI can
print it as it is.
"""

from __future__ import annotations

from monitor.urls import redact_urls_in


class MonitorError(Exception):
    """Base class: a failure the service expected and can explain in one line."""


class InputError(MonitorError):
    """A source given on the command line cannot be read."""


class FetchError(MonitorError):
    """An HTTP fetch failed."""


class ExtractError(MonitorError):
    """A page yielded no article text."""


class RuleError(MonitorError):
    """A rule or vocabulary file is invalid."""


class ConfigError(MonitorError):
    """The configuration is invalid."""


class StorageError(MonitorError):
    """The database cannot be opened or migrated."""


class DeliveryError(MonitorError):
    """An alert could not be delivered."""


def error_line(text: str, limit: int = 1000) -> str:
    """An error as stored and logged: one line, and not a whole page of it."""
    line = redact_urls_in(" ".join(text.split()))  # a URL's credentials never reach a stored or shown error
    return line if len(line) <= limit else line[: limit - 1] + "…"
