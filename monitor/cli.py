# SPDX-License-Identifier: MIT
"""The `monitor` command line (also `python -m monitor`).

Every command exits non-zero with a one-line error on stderr when it cannot
do its job; `--json` output is the public shape of ../shared/spec/CONTRACT.md.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from monitor import __version__, render
from monitor.errors import ConfigError, MonitorError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Watch the news for changes in the Microsoft-OpenAI compute relationship.",
)
F = TypeVar("F", bound=Callable[..., Any])

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="Configuration file (default: ./monitor.toml if present).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the public shape) instead of a table.")]


def _one_line_errors(command: F) -> F:
    """Turn the service's expected failures into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MonitorError as exc:
            typer.echo(f"monitor: error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _check_config(config: Path | None) -> None:
    """The configuration arrives with the feed pipeline; a named file must at least exist."""
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such configuration file")


@app.command()
@_one_line_errors
def check(
    source: Annotated[str, typer.Argument(help="An HTML or text file, - for stdin, or an http(s) URL.")],
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD (default: the page's own, else today).")
    ] = None,
    json_output: JsonOption = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show, per sentence, which rule matched and why.")] = False,
    config: ConfigOption = None,
) -> None:
    """Read one article and report its claims and changes against the seed baseline. Writes nothing."""
    from monitor.check import check_document, parse_date
    from monitor.source import read_source
    from rules.engine import Engine

    _check_config(config)
    date = parse_date(published) if published else None
    document = read_source(source)
    result = check_document(document, engine=Engine.load(), published=date, explain=explain)
    if json_output:
        _print_json(result.to_json())
        return
    console = _console()
    if explain:
        render.explain(console, result)
    render.check_result(console, result)


@app.command()
@_one_line_errors
def baseline(json_output: JsonOption = False, config: ConfigOption = None) -> None:
    """Print the baseline claims read from the seeds, each with its seed file and sentence."""
    from monitor.baseline import build_baseline
    from rules.engine import Engine

    _check_config(config)
    state = build_baseline(Engine.load())
    if json_output:
        _print_json({"date": state.date, "claims": [render.known_json(k) for k in state.known.values()]})
        return
    render.baseline(_console(), state)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _console() -> Console:
    """A terminal's own width; piped output gets wide lines rather than folded table cells."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _print_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    app(prog_name="monitor")
