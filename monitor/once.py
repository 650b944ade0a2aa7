# SPDX-License-Identifier: MIT
"""`monitor run --once`: one cycle over the configured feeds, as the command prints it.

Shared by the typer command (`monitor.cli.run`, which shows a live status line on a terminal) and the
console script's fast path (`monitor.entry`, output not on a terminal, without typer, click or rich):
both print the same lines and raise the same errors. Nothing here imports a terminal library.

    run_once(Path("monitor.toml"))   # prints each change flagged, then the cycle's summary line
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from monitor.errors import FetchError

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.delivering.channels import Channel
    from monitor.pipeline import CycleReport
    from storage import Store

T = TypeVar("T")
# Runs the cycle given to it, telling it where to report each stage (a terminal's status line, or nowhere)
Show = Callable[[Callable[[Callable[[str], None]], T]], T]


def quietly(work: Callable[[Callable[[str], None]], T]) -> T:
    """`Show` for output that is not a terminal: the stages go nowhere."""
    return work(lambda stage: None)


def run_once(config_file: Path | None, *, show: Show[CycleReport] = quietly) -> None:
    """Load the configuration (`config_file`, else ./monitor.toml, else defaults), run one cycle, print
    each change it flagged and its summary; deliver due alerts when channels are configured. Every
    expected failure is raised (`monitor.errors.EXPECTED`), a cycle where every feed failed as FetchError."""
    from monitor.pipeline import run_cycle
    from monitor.plain_config import load_plain
    from storage import Store

    settings = load_plain(config_file) or _validated(config_file)
    channels = configured_channels(settings)
    with Store.open(settings.prepare_database()) as store:
        # The rules are left to the cycle: it loads them only if there is something new to read
        report = show(
            lambda progress: asyncio.run(run_cycle(settings, store, None, channels=channels, progress=progress))
        )
        if report.all_failed:
            raise FetchError(report.all_failed_hint())
        print_flagged(store, report)
        if channels:
            from monitor.config import Config
            from monitor.delivering.outbox import deliver_due

            assert isinstance(settings, Config)  # only `Config` reads alert channels

            delivery = asyncio.run(deliver_due(store, channels, settings.delivery))
            _say(f"{report.summary()}; {delivery.summary()}")
            return
    _say(report.summary())


def _validated(config_file: Path | None) -> Settings:
    """The configuration as `monitor.config` reads it (pydantic): a file `load_plain` leaves to it."""
    from monitor.config import load_config

    return load_config(config_file)


def configured_channels(settings: Settings) -> list[Channel]:
    """The alert channels configured; none configured imports none of them (Apprise alone takes 0.1 s)."""
    from monitor.plain_config import PlainConfig

    if isinstance(settings, PlainConfig) or not (settings.webhook or settings.email or settings.apprise.urls):
        return []  # a plain configuration has no channel
    from monitor.delivering.channels import build_channels

    return build_channels(settings)


def print_flagged(store: Store, report: CycleReport) -> None:
    """After a cycle: the changes it flagged, one line each."""
    for change_id in report.changes_flagged:
        change = store.change(change_id)
        if change is not None:
            _say(f"{change.kind:8} {change.severity:8} {change.summary}")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
