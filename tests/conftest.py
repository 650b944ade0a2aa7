# SPDX-License-Identifier: MIT
"""Fixtures shared by every test module."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The package is normally installed editable; this keeps a bare checkout (and tests.support) importable.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.httpserver import LocalServer  # noqa: E402 - needs the path above
from tests.support.smtp import Inbox, serve_smtp  # noqa: E402


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started HTTP server on 127.0.0.1, closed after the test."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Inbox, int]]]:
    """`start(inbox=None, **smtp_options)` starts a real SMTP server on 127.0.0.1 -> (inbox, port)."""
    yield from serve_smtp()
