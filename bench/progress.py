# SPDX-License-Identifier: MIT
"""Progress lines on stderr, timed from the start of the run, so stdout carries the JSON report alone."""

from __future__ import annotations

import sys
import time

_START = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _START:7.1f}s] {message}", file=sys.stderr, flush=True)
