# SPDX-License-Identifier: MIT
"""urlwatch on the same unchanged feeds: a peer's figure for the steady state, measured the same way.

urlwatch (2.29, from the package registry) is installed on first use into a
venv of its own, bench/.urlwatch-venv (git-ignored), so that it never touches
the project's dependencies. It gets one `url` job per feed, a configuration
with every reporter off, an empty hooks file and a cache file in the work
directory — nothing leaves the machine. A first run fills its cache (and its
ETags); the second, every feed answering 304, is timed as a whole command; a
third, verbose and untimed, proves that the second saw 304s and not errors.
urlwatch runs its jobs on 10 threads, as our fetcher keeps 10 requests in flight.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
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


def time_urlwatch(feed_urls: Sequence[str], work: Path) -> dict:
    """Seconds for urlwatch's second run over `feed_urls` (all unchanged)."""
    executable = ensure_urlwatch()
    files = _write_files(feed_urls, work / "urlwatch")
    command = [str(executable), *(f"--{name}={path}" for name, path in files.items())]
    say(f"urlwatch: first run over {len(feed_urls)} url jobs (fills its cache)")
    _run(command)
    say("urlwatch: second run, every feed unchanged")
    start = time.perf_counter()
    _run(command)
    seconds = time.perf_counter() - start
    verbose = _run([*command, "--verbose"])
    not_modified = verbose.count("has not changed (HTTP 304)")
    if not_modified != len(feed_urls):
        raise Unavailable(f"urlwatch saw {not_modified} of {len(feed_urls)} feeds answer 304: not the same work")
    return {"urlwatch_version": VERSION, "urlwatch_1000_unchanged_s": round(seconds, 3)}


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


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise Unavailable(f"urlwatch exited {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}")
    return done.stdout + done.stderr
