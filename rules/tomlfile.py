# SPDX-License-Identifier: MIT
"""Read a TOML file, or fail with one line naming it: the rules' files, and the service's configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, *, error: type[Exception], what: str) -> dict[str, Any]:
    """The table in `path`; `error` ("<path>: <reason>") when it is missing, unreadable or not TOML.

    >>> read_toml(Path("monitor.toml"), error=ConfigError, what="configuration file")
    """
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: invalid TOML: {exc}") from None
