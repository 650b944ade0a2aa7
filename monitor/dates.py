# SPDX-License-Identifier: MIT
"""Dates given on the command line (`--published`, `--since`): ISO, or a one-line error."""

from __future__ import annotations

import datetime as dt

from monitor.errors import InputError


def parse_date(value: str, *, source: str = "--published") -> str:
    """An ISO date (YYYY-MM-DD, or a full timestamp whose date is kept) or a one-line error."""
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise InputError(f"{source}: {value!r} is not a date (expected YYYY-MM-DD)") from None
