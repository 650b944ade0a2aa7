# SPDX-License-Identifier: MIT
"""urlwatch on the same unchanged feeds: a peer's figure for the steady state, measured the same way.

urlwatch (2.29, from the package registry) is installed on first use into a
venv of its own, bench/.urlwatch-venv (git-ignored), so that it never touches
the project's dependencies. It gets one `url` job per feed, a configuration
with every reporter off, an empty hooks file and a cache file in the work
directory — nothing leaves the machine. A first run fills its cache (and its
ETags); later runs, every feed answering 304, are timed as whole commands by
`polling.py`, paired with ours; a verbose run, untimed, proves that they saw
304s and not errors.

Settings, as the comparison states them: urlwatch's defaults (its jobs on 10
threads, `worker.MAX_WORKERS`; our fetcher keeps 10 requests in flight by
default too), but every reporter off — with nothing changed they have
nothing to report — and a configuration, hooks and cache in the work
directory instead of the user's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from progress import say

VENV = Path(__file__).resolve().parent / ".urlwatch-venv"
VERSION = "2.29"
_REPORTERS = "stdout email pushover pushbullet telegram slack mattermost discord gotify matrix mailgun ifttt xmpp prowl"
_REPORTERS_OFF = {name: {"enabled": False} for name in [*_REPORTERS.split(), "shell"]}


class Unavailable(RuntimeError):
    """urlwatch could not be installed or run: the report says why instead of a figure."""


def ensure_urlwatch() -> Path:
    """The urlwatch executable, installed into VENV on first use."""
    executable = VENV / "bin" / "urlwatch"
    if executable.exists():
        return executable
    say(f"urlwatch: installing urlwatch {VERSION} into {VENV}")
    for command in ([sys.executable, "-m", "venv", str(VENV)],
                    [str(VENV / "bin" / "pip"), "install", "--quiet", f"urlwatch=={VERSION}"]):  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise Unavailable(f"{' '.join(command[:3])}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
    return executable


def prepare(feed_urls: Sequence[str], work: Path) -> list[str]:
    """urlwatch installed and its cache filled by a first run over `feed_urls`: the command to time."""
    executable = ensure_urlwatch()
    files = _write_files(feed_urls, work / "urlwatch")
    command = [str(executable), *(f"--{name}={path}" for name, path in files.items())]
    say(f"urlwatch: first run over {len(feed_urls)} url jobs (fills its cache)")
    run(command)
    return command


def check_unchanged(command: list[str], feeds: int) -> None:
    """A verbose run: every job must have seen a 304, or the timed runs did other work than ours."""
    not_modified = run([*command, "--verbose"]).count("has not changed (HTTP 304)")
    if not_modified != feeds:
        raise Unavailable(f"urlwatch saw {not_modified} of {feeds} feeds answer 304: not the same work")


def _write_files(feed_urls: Sequence[str], folder: Path) -> dict[str, Path]:
    """urls.yaml, urlwatch.yaml (reporters off), an empty hooks.py, and where the cache goes."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"urls": folder / "urls.yaml", "config": folder / "urlwatch.yaml", "hooks": folder / "hooks.py",
             "cache": folder / "cache.db"}  # fmt: skip
    # YAML is a superset of JSON: one document per job, each a JSON object
    files["urls"].write_text("\n---\n".join(json.dumps({"name": url, "url": url}) for url in feed_urls) + "\n")
    files["config"].write_text(json.dumps({"report": _REPORTERS_OFF, "display": {"new": False, "error": True}}))
    files["hooks"].write_text("# no hooks\n")
    files["hooks"].chmod(0o600)  # urlwatch refuses a hooks file others may write
    return files


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise Unavailable(f"urlwatch exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    return done.stdout + done.stderr
