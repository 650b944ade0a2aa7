# SPDX-License-Identifier: MIT
"""Debian's headless Chromium, for what a page shows: its DOM after parsing, and a screenshot.

The flags keep it off the network (this machine's is closed) and out of the
user's profile: a fresh --user-data-dir each time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")  # fmt: skip


def chromium() -> str | None:
    """The Chromium binary, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(url: str, *options: str) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *options, url],
                              capture_output=True, text=True, timeout=120, check=True)  # fmt: skip


def dump_dom(url: str) -> str:
    """The page's DOM as Chromium serialises it after parsing and layout."""
    return _run(url, "--dump-dom").stdout


def screenshot(url: str, path: Path, *, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of the page as Chromium renders it."""
    _run(url, f"--screenshot={path}", f"--window-size={width},{height}")
    return path
