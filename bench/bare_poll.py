# SPDX-License-Identifier: MIT
"""The physical limit of polling: conditional GETs over raw asyncio streams, nothing else.

    python bench/bare_poll.py URLS_FILE [--connections 10]    # prints the loop's own seconds and the 304 count

No HTTP library, no parsing beyond the status line and Content-Length, no
storage, no schedule: CONNECTIONS keep-alive connections (as many as the
service keeps in flight) each send `GET` with `If-None-Match` and read the
answer, until every URL of the file (one a line, plain http) has been asked
once. Whatever the service does above this is its own cost; this is the
floor that Python's event loop and the loopback socket set. Only the standard
library, so that its start-up is the interpreter's.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit


async def poll(urls: list[str], connections: int) -> int:
    """Ask every URL once over `connections` connections; how many answered 304."""
    pending = iter(urls)
    counts = await asyncio.gather(*(_connection(pending) for _ in range(min(connections, len(urls)))))
    return sum(counts)


async def _connection(pending: Iterator[str]) -> int:
    """One keep-alive connection taking URLs until none is left (all on one host:port, as served here)."""
    not_modified = 0
    reader = writer = None
    for url in pending:
        parts = urlsplit(url)
        if writer is None:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        assert reader is not None
        writer.write(f'GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nIf-None-Match: "bench"\r\n'
                     f"Accept-Encoding: gzip\r\n\r\n".encode())  # fmt: skip
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        not_modified += head.startswith(b"HTTP/1.1 304")
    if writer is not None:
        writer.close()
    return not_modified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    urls = args.urls.read_text().split()
    started = time.perf_counter()
    not_modified = asyncio.run(poll(urls, args.connections))
    print(f"{time.perf_counter() - started:.4f} {not_modified}")


if __name__ == "__main__":
    main()
