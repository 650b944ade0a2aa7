# SPDX-License-Identifier: MIT
"""Fixtures shared by every test module."""

from __future__ import annotations

import shutil
import subprocess
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


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command (`cryptography` is not installed)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a self-signed certificate (and `cryptography` is not installed)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    command += ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key
