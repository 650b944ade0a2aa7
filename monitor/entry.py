# SPDX-License-Identifier: MIT
"""The `monitor` console script (also `python -m monitor`).

Two commands have a fast path that does not go through typer. `monitor run --once`, output not on a
terminal (a cron job, a timer unit, a pipe: nothing to show a live status line on), goes straight to
`monitor.once.run_once`: typer, click's command tree and rich (and httpx's own command line) were
about 0.1 s of CPU of a command that takes under a second over 1,000 unchanged feeds
(`bench/run.py --only poll`; a plain configuration file is read without pydantic too,
`monitor.plain_config`). On a terminal typer runs it, with its status line.

`monitor changes` with its listing options, written as `monitor changes --help` shows them, goes
straight to `monitor.listing` without typer: typer, its click, the pydantic it coerces parameters
with, rich and sqlite-utils are most of a listing's time, and a read-only listing needs none of them
(`bench/run.py --only history`). Every other command line — another command, `--help`, a
subcommand, an unknown or repeated option, a value typer would refuse — goes to the typer CLI
(`monitor.cli`), which runs it or says what is wrong. Both run the same `print_changes`, and
tests/test_entry.py checks that they print the same bytes and exit the same way. The same holds for
`run`: both run `run_once`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# `monitor changes`' options: name → whether it takes a value (tests/test_entry.py checks them against typer's)
CHANGES_OPTIONS = {"--json": False, "--since": True, "--limit": True, "--config": True}
RUN_OPTIONS = {"--once": False, "--config": True}  # `monitor run`'s, the same check
# what makes rich take standard output for a terminal although it is not one (rich.console.Console.is_terminal)
TERMINAL_ENVIRONMENT = ("TTY_COMPATIBLE", "FORCE_COLOR")


def main() -> None:
    argv = sys.argv[1:]
    if argv in (["version"], ["--version"]):
        # typer 0.29 coerces every parameter through pydantic, 0.1 s to import: the version needs none
        from monitor import __version__

        sys.stdout.write(__version__ + "\n")
        return
    run = run_options(argv[1:]) if argv[:1] == ["run"] else None
    if run is not None and not _terminal():
        from monitor.serving.logs import setup_from_environment

        setup_from_environment()
        sys.exit(_expected_failures(lambda: _run_once(run)))
    options = changes_options(argv[1:]) if argv[:1] == ["changes"] else None
    if options is None:
        from monitor.cli import main as cli_main

        cli_main()
        return
    # no logging set up here: `print_changes` sets it up for the paths that may log (logging's import is
    # 8 ms of a listing, whose usual path, a SQLite file read with sqlite3 alone, logs nothing)
    sys.exit(_expected_failures(lambda: _list_changes(options)))


def run_options(args: list[str]) -> dict[str, Any] | None:
    """`run_once`'s arguments from the words after `run`, or None for anything this does not take
    exactly as typer would: no `--once` (typer says why), `--help`, an unknown or repeated option…"""
    given = _options(args, RUN_OPTIONS)
    if given is None or "--once" not in given:
        return None
    config = given.get("--config")
    return {"config_file": Path(config) if config is not None else None}


def changes_options(args: list[str]) -> dict[str, Any] | None:
    """`print_changes`' arguments from the words after `changes`, or None for anything this does not
    take exactly as typer would (typer then runs it, or says what is wrong)."""
    given = _options(args, CHANGES_OPTIONS)
    if given is None:
        return None
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


def _options(args: list[str], known: dict[str, bool]) -> dict[str, str | None] | None:
    """The options in `args` (name → value, None for a flag), each of `known` at most once, or None for
    anything else: a word that is no option of the command (a subcommand, --help…), an option given
    twice, a flag given a value, a value missing or looking like an option (typer's to judge)."""
    given: dict[str, str | None] = {}
    words = iter(args)
    for word in words:
        name, equals, value = word.partition("=")
        if name not in known or name in given or equals and not known[name]:
            return None
        if known[name] and not equals:
            value = next(words, "")
        if known[name] and (not value or value.startswith("-")):
            return None
        given[name] = value if known[name] else None
    return given


def _terminal() -> bool:
    """Whether rich would take standard output for a terminal (typer then shows the cycle's status line)."""
    import os

    return any(name in os.environ for name in TERMINAL_ENVIRONMENT) or sys.stdout.isatty()


def _run_once(options: dict[str, Any]) -> None:
    # httpx imports its own command line when click and rich are installed (they are, for typer): 0.04 s
    # of click, rich and pygments that a cycle never uses. Without the module httpx defines a stub `main`.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    from monitor.once import run_once

    run_once(**options)


def _list_changes(options: dict[str, Any]) -> None:
    from monitor.listing import print_changes

    print_changes(**options)


def _expected_failures(command: Callable[[], None]) -> int:
    """Run a command as the typer CLI does: an expected failure is one line on stderr and status 1,
    a closed pipe status 1, an interrupt status 130 (typer's rules)."""
    from monitor.errors import EXPECTED, cli_error

    try:
        command()
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
