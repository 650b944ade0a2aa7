# SPDX-License-Identifier: MIT
"""A threaded TCP server on 127.0.0.1 for tests that write HTTP by hand: subclasses answer each connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator


class ThreadedSocketServer:
    """Accepts connections on an ephemeral port and hands each to `_answer` in a thread of its own."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.1)  # how often the accept loop looks at the stop flag
        self.port = self._socket.getsockname()[1]
        self.connections = 0  # accepted so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=type(self).__name__, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        raise NotImplementedError


def request_heads(connection: socket.socket) -> Iterator[bytes]:
    """The request heads arriving on a connection, until it closes (these tests send no request bodies)."""
    pending = b""
    while True:
        while b"\r\n\r\n" not in pending:
            piece = connection.recv(65536)
            if not piece:
                return
            pending += piece
        head, pending = pending.split(b"\r\n\r\n", 1)
        yield head
