# SPDX-License-Identifier: MIT
"""The `monitor` command line (also `python -m monitor`).

Every command exits non-zero with a one-line error on stderr when it cannot
do its job; `--json` output is the public shape of ../shared/spec/CONTRACT.md.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand

from monitor import __version__
from monitor.errors import EXPECTED, ConfigError, cli_error
from monitor.listing import print_json

# Only what every command needs is imported here: `monitor --help` and `monitor version`
# start in a fraction of the time a cycle's imports take (bench/startup.py measures it).
if TYPE_CHECKING:
    from rich.console import Console

    from monitor.config import Config
    from storage import Store


class _Command(TyperCommand):
    """typer's command, its arguments shown as users type them: `URL`, not `{URL}` nor `URL <str>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                shown = param.display_name_raw if param.required else f"[{param.display_name_raw}]"
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
                param.get_usage_pieces = lambda ctx, shown=shown: [shown]  # type: ignore[method-assign, misc]


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Watch the news for changes in the Microsoft-OpenAI compute relationship.",
)
F = TypeVar("F", bound=Callable[..., Any])

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", metavar="PATH", help="Configuration file (default: ./monitor.toml if present)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the public shape) instead of a table.")]


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _global_options(
    config: ConfigOption = None,
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
) -> None:
    """`--config PATH` before the command counts as after it: `monitor --config x.toml run --once`."""
    _before_command["config"] = config


def _one_line_errors(command: F) -> F:
    """Turn the service's expected failures into one line on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EXPECTED as exc:
            typer.echo(cli_error(exc), err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


_before_command: dict[str, Path | None] = {"config": None}  # set by _global_options for each invocation


def _config_file(config: Path | None) -> Path | None:
    """The command's own `--config`, else the one given before the command."""
    return config if config is not None else _before_command["config"]


def _settings(config: Path | None) -> Config:
    from monitor.config import load_config

    return load_config(_config_file(config))


def _check_config(config: Path | None) -> None:
    """`check` and `baseline` need no configuration, but a named file must be valid."""
    if _config_file(config) is not None:
        _settings(config)


@contextmanager
def _store(config: Config, *, read_only: bool = False) -> Iterator[Store]:
    """The database; `read_only` commands also work on a read-only one (a read-only mount, a backup)."""
    from storage import Store

    store = Store.open(config.prepare_database(), or_read_only=read_only)
    try:
        yield store
    finally:
        store.close()


@app.command(cls=_Command)
@_one_line_errors
def run(
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    config: ConfigOption = None,
) -> None:
    """One full cycle: poll every feed, read new articles, record changes, write the digest."""
    if not once:
        raise ConfigError("run: give --once for one cycle (the scheduled service is `monitor daemon`)")
    from monitor import render
    from monitor.once import run_once

    # what monitor.entry runs without typer when the output is not a terminal (no status line to show)
    run_once(_config_file(config), show=lambda work: render.with_progress(_console(), work))


@app.command(cls=_Command)
@_one_line_errors
def daemon(
    config: ConfigOption = None,
    log_format: Annotated[
        str | None, typer.Option(metavar="FORMAT", help="text or json (default: [daemon] log_format).")
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(metavar="LEVEL", help="DEBUG, INFO, WARNING or ERROR (default: [daemon] log_level)."),
    ] = None,
) -> None:
    """Run the pipeline on a schedule until SIGTERM/SIGINT; SIGHUP reloads the configuration and the rules."""
    from monitor.serving.daemon import run_daemon
    from monitor.serving.logs import setup_logging

    settings = _settings(config)
    setup_logging(
        level=log_level or settings.daemon.log_level, json_lines=(log_format or settings.daemon.log_format) == "json"
    )
    raise typer.Exit(run_daemon(_config_file(config)))


changes_app = typer.Typer(help="The changes flagged so far; accept or reject one.", invoke_without_command=True)
app.add_typer(changes_app, name="changes")
ChangeId = Annotated[str, typer.Argument(metavar="ID", help="The change's id, as `monitor changes` shows it.")]


@changes_app.callback(invoke_without_command=True)
@_one_line_errors
def changes(
    ctx: typer.Context,
    json_output: JsonOption = False,
    since: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Only changes first seen on or after this date (YYYY-MM-DD)."),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, metavar="N", help="Only the N newest.")] = None,
    config: ConfigOption = None,
) -> None:
    """The changes flagged so far, newest first, with their sources, delivery and review."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor.listing import print_changes

    print_changes(_config_file(config), json_output=json_output, since=since, limit=limit)


@changes_app.command("accept", cls=_Command)
@_one_line_errors
def changes_accept(change_id: ChangeId, config: ConfigOption = None) -> None:
    """Mark a change reviewed and right."""
    _review_change(change_id, "accepted", note=None, config=config)


@changes_app.command("reject", cls=_Command)
@_one_line_errors
def changes_reject(
    change_id: ChangeId,
    why: Annotated[str, typer.Option("--why", metavar="TEXT", help="Why it is wrong (kept with the change).")],
    config: ConfigOption = None,
) -> None:
    """Reject a false alarm: it leaves the known state, its pending alerts are withdrawn, and a later genuine
    report of the same change is flagged again."""
    _review_change(change_id, "rejected", note=why, config=config)


@changes_app.command("export-cases", cls=_Command)
@_one_line_errors
def changes_export_cases(
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Where to write them (default: standard output).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write reviewed changes and triaged signals as labelled cases in the corpus format (cases.txt of
    ../shared/corpus/build.py): accepted changes and promoted signals are expected, rejected ones must not be
    flagged again."""
    from monitor.judging.cases import export_cases

    settings = _settings(config)
    with _store(settings, read_only=True) as store:
        text = export_cases(store)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{out}: cannot write the cases ({exc.strerror})") from None
    typer.echo(f"{out}: {text.count(chr(10) + '=== ') + text.startswith('=== ')} case(s)")


def _review_change(change_id: str, verdict: str, *, note: str | None, config: Path | None) -> None:
    settings = _settings(config)
    with _store(settings) as store:
        before = store.outbox.counts().get("withdrawn", 0)
        change = store.review_change(change_id.strip(), verdict, note=note)
        withdrawn = store.outbox.counts().get("withdrawn", 0) - before
    if change is None:
        raise ConfigError(f"{change_id}: no such change (see `monitor changes`)")
    from monitor.judging.summary import plural

    more = f"; {plural(withdrawn, 'pending alert')} withdrawn" if verdict == "rejected" else ""
    typer.echo(f"{change.id}: {verdict}{more}")


signals_app = typer.Typer(
    help="Signals: sentences of change no rule read, for triage; dismiss or promote one.", invoke_without_command=True
)
app.add_typer(signals_app, name="signals")
SignalId = Annotated[str, typer.Argument(metavar="ID", help="The signal's id, as `monitor signals` shows it.")]
NoteOption = Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Why (kept with the signal).")]


@signals_app.callback(invoke_without_command=True)
@_one_line_errors
def signals(
    ctx: typer.Context,
    json_output: JsonOption = False,
    status: Annotated[
        str | None, typer.Option(metavar="STATUS", help="Only signals in this state: open, dismissed or promoted.")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, metavar="N", help="Only the N newest.")] = None,
    config: ConfigOption = None,
) -> None:
    """The signals found so far, newest first: each sentence, its sources, its triage."""
    if ctx.invoked_subcommand is not None:
        return
    from storage.signals import STATUSES

    if status is not None and status not in STATUSES:
        raise ConfigError(f"--status {status}: expected one of {', '.join(STATUSES)}")
    settings = _settings(config)
    with _store(settings, read_only=True) as store:
        found = store.signals.newest(status=status, limit=limit)
    if json_output:
        from monitor.judging.signals import signal_json

        print_json({"signals": [signal_json(s) for s in found]})
        return
    from monitor import render

    sys.stdout.write(render.signals_text(found))


@signals_app.command("dismiss", cls=_Command)
@_one_line_errors
def signals_dismiss(signal_id: SignalId, note: NoteOption = None, config: ConfigOption = None) -> None:
    """Dismiss a signal as noise (it stays known: the same sentence will not come back)."""
    _triage(signal_id, "dismissed", {"note": note} if note else None, config=config)


@signals_app.command("promote", cls=_Command)
@_one_line_errors
def signals_promote(
    signal_id: SignalId,
    facet: Annotated[str, typer.Option("--facet", metavar="FACET", help="The facet it changes (FACETS.md).")],
    kind: Annotated[str, typer.Option("--kind", metavar="KIND", help="new, changed or reversed.")],
    key: Annotated[
        str | None, typer.Option("--key", metavar="KEY", help="The key (default: the facet's own, if it has one).")
    ] = None,
    note: NoteOption = None,
    config: ConfigOption = None,
) -> None:
    """Promote a signal to a labelled change the rules should have read: the label is kept and exported by
    `monitor changes export-cases`."""
    from monitor.judging.signals import signal_label

    _triage(signal_id, "promoted", signal_label(facet=facet, kind=kind, key=key, note=note), config=config)


def _triage(signal_id: str, status: str, label: dict[str, str] | None, *, config: Path | None) -> None:
    settings = _settings(config)
    with _store(settings) as store:
        signal = store.signals.review(signal_id.strip(), status, label=label)
    if signal is None:
        raise ConfigError(f"{signal_id}: no such signal (see `monitor signals`)")
    shown = f" as {label['facet']}/{label['key']}/{label['kind']}" if label and "facet" in label else ""
    typer.echo(f"{signal.id}: {status}{shown}")


@app.command(cls=_Command)
@_one_line_errors
def state(
    json_output: JsonOption = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="What was known on that date (YYYY-MM-DD), from the seeds and the changes dated by then.",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Where the relationship stands: one row per facet and key, since when, on what evidence."""
    from monitor.dates import parse_date
    from monitor.judging.state import known_state, standing
    from rules.engine import Engine

    settings = _settings(config)
    date = parse_date(as_of, source="--as-of") if as_of else None
    with _store(settings, read_only=True) as store:
        changes = store.changes()
        rows = standing(known_state(Engine.load(), store, as_of=date, changes=changes), changes)
    if json_output:
        print_json({"as_of": date, "state": [row.to_json() for row in rows]})
        return
    from monitor import render

    sys.stdout.write(render.standing_text(rows, as_of=date))


@app.command(cls=_Command)
@_one_line_errors
def alerts(
    json_output: JsonOption = False,
    all_: Annotated[bool, typer.Option("--all", help="Also list the delivered alerts.")] = False,
    config: ConfigOption = None,
) -> None:
    """The alerts waiting for delivery or refused, with their last error (--all: delivered too)."""
    from monitor import render

    settings = _settings(config)
    statuses = ("pending", "failed", "delivered") if all_ else ("pending", "failed")
    with _store(settings, read_only=True) as store:
        rows = store.outbox.rows(statuses=statuses)
        counts = store.outbox.counts()
    if json_output:
        print_json({"counts": counts, "alerts": [render.outbox_json(r) for r in rows]})
        return
    render.outbox(_console(), rows, counts)


@app.command(cls=_Command)
@_one_line_errors
def digest(
    out: Annotated[
        Path | None, typer.Option("--out", metavar="PATH", help="Where to write it (default: [digest] path).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write the RSS digest of the flagged changes."""
    from monitor.delivering.digest import write_digest
    from monitor.judging.summary import plural

    settings = _settings(config)
    path = out or settings.digest_path
    with _store(settings, read_only=True) as store:
        found = store.changes(newest_first=True, limit=settings.digest.max_items)
        signals = store.signals.newest(limit=settings.digest.max_items)
    write_digest(found, path, title=settings.digest.title, link=settings.digest_link,
                 max_items=settings.digest.max_items, signals=signals)  # fmt: skip
    typer.echo(f"{path}: {plural(len(found), 'change')}")


@app.command(cls=_Command)
@_one_line_errors
def daemons(json_output: JsonOption = False, config: ConfigOption = None) -> None:
    """The daemons sharing the database, each with the feeds it holds a lease on now."""
    import datetime as dt

    from monitor import render

    settings = _settings(config)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    with _store(settings, read_only=True) as store:
        rows = store.leases.daemons(now=now)
        holders = store.leases.holders(now=now)
    if json_output:
        print_json(
            {
                "daemons": [render.daemon_json(row, holders.get(row.id, [])) for row in rows],
                "leases": {owner: [render.feed_json(f)["url"] for f in feeds] for owner, feeds in holders.items()},
            }
        )
        return
    render.daemons(_console(), rows, holders, lease_s=settings.daemon.lease)


feeds_app = typer.Typer(help="Manage the watched feeds.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
FeedUrl = Annotated[str, typer.Argument(metavar="URL", help="The feed's http(s) URL, as listed.", show_default=False)]


@feeds_app.command("add", cls=_Command)
@_one_line_errors
def feeds_add(url: FeedUrl, config: ConfigOption = None) -> None:
    """Watch a feed (beside the default feeds, until you remove them)."""
    from monitor.config import FeedConfig
    from monitor.pipeline import seed_default_feeds
    from monitor.urls import redact_url

    settings = _settings(config)
    try:
        FeedConfig(url=url)
    except ValueError:
        raise ConfigError(f"{redact_url(url)}: not an http(s) URL") from None
    with _store(settings) as store:
        seed_default_feeds(settings, store)
        _, created = store.add_feed(url.strip())
    typer.echo(f"{redact_url(url)}: {'added' if created else 'already watched'}")


@feeds_app.command("list", cls=_Command)
@_one_line_errors
def feeds_list(json_output: JsonOption = False, config: ConfigOption = None) -> None:
    """The feeds the next cycle polls, with their last poll."""
    from monitor import render
    from monitor.pipeline import watched_feeds

    settings = _settings(config)
    with _store(settings, read_only=True) as store:
        found = store.feeds() if store.read_only else watched_feeds(settings, store)
    if json_output:
        print_json({"feeds": [render.feed_json(feed) for feed in found]})
        return

    render.feeds(_console(), found)


@feeds_app.command("remove", cls=_Command)
@_one_line_errors
def feeds_remove(url: FeedUrl, config: ConfigOption = None) -> None:
    """Stop watching a feed, a default one too (its articles and changes stay)."""
    from monitor.pipeline import seed_default_feeds
    from monitor.urls import redact_url

    settings = _settings(config)
    with _store(settings) as store:
        seed_default_feeds(settings, store)
        removed = store.remove_feed(url.strip())
    shown = redact_url(url)
    if not removed:
        raise ConfigError(f"{shown}: not a watched feed (see `monitor feeds list`)")
    if any(feed.url == url.strip() for feed in settings.feed):
        typer.echo(f"{shown}: removed; it is still in {settings.source}, which adds it back next cycle", err=True)
    typer.echo(f"{shown}: removed")


@app.command(cls=_Command)
@_one_line_errors
def demo() -> None:
    """Serve a bundled sample feed on 127.0.0.1, run one cycle on a throwaway database, show what it flagged."""
    from monitor import render
    from monitor.demo import run_demo
    from monitor.listing import changes_text

    console = _console()
    report, found, digest_path = render.with_progress(console, lambda progress: run_demo(progress=progress))
    sys.stdout.write(changes_text(sorted(found, key=lambda c: c.listing_key(), reverse=True), {}))
    typer.echo(report.summary())
    typer.echo(f"digest: {digest_path}")


@app.command(cls=_Command)
@_one_line_errors
def check(
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE", help="An HTML or text file, - for stdin, or an http(s) URL.", show_default=False
        ),
    ],
    published: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Publication date YYYY-MM-DD (default: the page's own, else today)."),
    ] = None,
    json_output: JsonOption = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show, per sentence, which rule matched and why.")] = False,
    config: ConfigOption = None,
) -> None:
    """Read one article and report its claims and changes against the seed baseline. Writes nothing."""
    from monitor import render
    from monitor.dates import parse_date
    from monitor.judging.check import check_document
    from monitor.reading.source import read_source
    from rules.engine import Engine

    _check_config(config)
    date = parse_date(published) if published else None
    document = read_source(source)
    result = check_document(document, engine=Engine.load(), published=date, explain=explain)
    if json_output:
        print_json(result.to_json())
        return
    console = _console()
    if explain:
        render.explain(console, result)
    render.check_result(console, result)


@app.command(cls=_Command)
@_one_line_errors
def baseline(json_output: JsonOption = False, config: ConfigOption = None) -> None:
    """Print the baseline claims read from the seeds, each with its seed file and sentence."""
    from monitor import render
    from monitor.judging.baseline import build_baseline
    from rules.engine import Engine

    _check_config(config)
    state = build_baseline(Engine.load())
    if json_output:
        print_json({"date": state.date, "claims": [render.known_json(k) for k in state.known.values()]})
        return
    render.baseline(_console(), state)


@app.command(cls=_Command)
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def _console() -> Console:
    """A terminal's own width; piped output gets wide lines rather than folded table cells."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def main() -> None:
    from monitor.serving.logs import setup_from_environment

    setup_from_environment()
    app(prog_name="monitor")
