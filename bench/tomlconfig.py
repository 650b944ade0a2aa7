# SPDX-License-Identifier: MIT
"""The benchmark's `monitor.toml`, for the commands run as the user runs them (`monitor run --once`, `monitor daemon`).

Written by hand, not generated from `monitor.config.Config`: the file is the
public interface (README, "Configuration"), and this keeps the benchmark
honest about it. The database is not named here: `MONITOR_DB` gives it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path


def write_monitor_toml(
    path: Path,
    feed_urls: Sequence[str],
    *,
    digest: Path,
    fetch: dict[str, int],
    interval: str = "15m",
    daemon: dict[str, str] | None = None,
    reading: dict[str, str] | None = None,
) -> Path:
    """A configuration watching `feed_urls`, with the given `[fetch]` limits; one daemon tick a second.
    `daemon` and `reading` add keys to those tables, as TOML values already written (`{"id": '"a"'}`)."""
    lines = [f"interval = {json.dumps(interval)}", "", "[digest]", f"path = {json.dumps(str(digest))}", "", "[fetch]"]
    lines += [f"{key} = {value}" for key, value in fetch.items()]
    lines += ["", "[daemon]", 'tick = "1s"', 'log_level = "INFO"']
    lines += [f"{key} = {value}" for key, value in (daemon or {}).items()]
    lines += ["", "[reading]", *(f"{key} = {value}" for key, value in (reading or {}).items()), ""]
    for url in feed_urls:
        lines += ["[[feed]]", f"url = {json.dumps(url)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
