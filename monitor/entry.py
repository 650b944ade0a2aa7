# SPDX-License-Identifier: MIT
"""The `monitor` console script (also `python -m monitor`).

`monitor changes` with its listing options, written as `monitor changes --help` shows them, goes
straight to `monitor.listing` without typer: typer, its click, the pydantic it coerces parameters
with, rich and sqlite-utils are most of a listing's time, and a read-only listing needs none of them
(`bench/run.py --only history`). Every other command line — another command, `--help`, a
subcommand, an unknown or repeated option, a value typer would refuse — goes to the typer CLI
(`monitor.cli`), which runs it or says what is wrong. Both run the same `print_changes`, and
tests/test_entry.py checks that they print the same bytes and exit the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# `monitor changes`' options: name → whether it takes a value (tests/test_entry.py checks them against typer's)
CHANGES_OPTIONS = {"--json": False, "--since": True, "--limit": True, "--config": True}


def main() -> None:
    argv = sys.argv[1:]
    if argv in (["version"], ["--version"]):
        # typer 0.29 coerces every parameter through pydantic, 0.1 s to import: the version needs none
        from monitor import __version__

        sys.stdout.write(__version__ + "\n")
        return
    options = changes_options(argv[1:]) if argv[:1] == ["changes"] else None
    if options is None:
        from monitor.cli import main as cli_main

        cli_main()
        return
    from monitor.serving.logs import setup_from_environment

    setup_from_environment()
    sys.exit(_list_changes(options))


def changes_options(args: list[str]) -> dict[str, Any] | None:
    """`print_changes`' arguments from the words after `changes`, or None for anything this does not
    take exactly as typer would (typer then runs it, or says what is wrong)."""
    given: dict[str, str | None] = {}
    words = iter(args)
    for word in words:
        name, equals, value = word.partition("=")
        if name not in CHANGES_OPTIONS or name in given or equals and not CHANGES_OPTIONS[name]:
            return None  # not an option of the listing (a subcommand, --help…), or given twice
        if CHANGES_OPTIONS[name] and not equals:
            value = next(words, "")
        if CHANGES_OPTIONS[name] and (not value or value.startswith("-")):
            return None  # no value, or one that looks like an option: typer's to judge
        given[name] = value if CHANGES_OPTIONS[name] else None
    limit = given.get("--limit")
    if limit is not None and not (limit.isascii() and limit.isdigit() and int(limit) >= 1):
        return None  # typer says why (`--limit` is a whole number, at least 1)
    config = given.get("--config")
    return {
        "config": Path(config) if config is not None else None,
        "json_output": "--json" in given,
        "since": given.get("--since"),
        "limit": int(limit) if limit is not None else None,
    }


def _list_changes(options: dict[str, Any]) -> int:
    """Run the listing as the typer command does: an expected failure is one line on stderr and status 1,
    a closed pipe status 1, an interrupt status 130 (typer's rules)."""
    from monitor.errors import EXPECTED, cli_error
    from monitor.listing import print_changes

    try:
        print_changes(**options)
        sys.stdout.flush()
    except EXPECTED as exc:
        sys.stderr.write(cli_error(exc) + "\n")
        return 1
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to flush at exit
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
