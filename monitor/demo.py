# SPDX-License-Identifier: MIT
"""`monitor demo`: the product at work on a bundled sample feed, without the internet.

Serves `demo_site/` (a feed of six sample articles) on 127.0.0.1, runs one
cycle against it with a throwaway database and digest, and returns what it
flagged. Nothing outside a temporary directory is touched.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from monitor.config import Config, DigestConfig, FeedConfig
from monitor.pipeline import CycleReport, Progress, run_cycle
from rules.engine import Engine
from storage import Store, StoredChange

SITE = Path(__file__).parent / "demo_site"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        """The demo's own output is what matters; no request log."""


@contextmanager
def serve_site(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (an ephemeral port); yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_demo(*, progress: Progress | None = None) -> tuple[CycleReport, list[StoredChange], Path]:
    """Run one cycle over the sample feed; return the report, the changes and the digest's text path."""
    with tempfile.TemporaryDirectory(prefix="monitor-demo-") as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(SITE, site)
        with serve_site(site) as base:
            feed = site / "feed.xml"
            feed.write_text(feed.read_text(encoding="utf-8").replace("{BASE}", base), encoding="utf-8")
            config = Config(
                feed=[FeedConfig(url=f"{base}/feed.xml")], digest=DigestConfig(path=Path(tmp) / "digest.xml")
            )
            store = Store.open(Path(tmp) / "demo.db")  # never MONITOR_DB: the demo touches nothing of the user's
            try:
                report = asyncio.run(run_cycle(config, store, Engine.load(), progress=progress))
                changes = store.changes()
            finally:
                store.close()
        digest = Path(tempfile.gettempdir()) / "monitor-demo-digest.xml"
        shutil.copyfile(config.digest_path, digest)
    return report, changes, digest
