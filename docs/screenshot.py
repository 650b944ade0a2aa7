# SPDX-License-Identifier: MIT
"""Make docs/page.png: the daemon's page, as headless Chromium renders it, after the demo's cycle.

    .venv/bin/python docs/screenshot.py            # needs Debian's chromium (apt-get install chromium)

It runs what `monitor demo` runs — the bundled sample feed served on
127.0.0.1, one cycle into a throwaway database — then serves the daemon's web
app on another loopback port and asks Chromium for a screenshot of `/`.
Nothing outside a temporary directory is written, but the PNG.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config import Config, DigestConfig, FeedConfig  # noqa: E402
from monitor.demo import SITE, serve_site  # noqa: E402
from monitor.pipeline import run_cycle  # noqa: E402
from monitor.serving.metrics import Metrics  # noqa: E402
from monitor.serving.web import WebState, bind, create_app, serve  # noqa: E402
from rules.engine import Engine  # noqa: E402
from storage import Store  # noqa: E402
from tests.support import browser  # noqa: E402 - the same Chromium, flags and profile as the browser test


def main(out: Path = ROOT / "docs" / "page.png") -> None:
    if browser.chromium() is None:
        sys.exit("screenshot: chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="monitor-shot-") as tmp:
        work = Path(tmp)
        engine = Engine.load()
        site = work / "site"
        shutil.copytree(SITE, site)
        with serve_site(site) as base:
            feed = site / "feed.xml"
            feed.write_text(feed.read_text(encoding="utf-8").replace("{BASE}", base), encoding="utf-8")
            config = Config(feed=[FeedConfig(url=f"{base}/feed.xml")], digest=DigestConfig(path=work / "d.xml"))
            with Store.open(work / "demo.db") as store:
                asyncio.run(run_cycle(config, store, engine))
        url = start_page(WebState(database=work / "demo.db", digest=work / "d.xml", metrics=Metrics(),
                                  health=lambda: (True, "ok"), engine=engine))  # fmt: skip
        browser.screenshot(url, out, width=1280, height=2600)
    print(f"screenshot: {out}")


def start_page(state: WebState) -> str:
    """The web app on a free loopback port, in a daemon thread; its URL once it answers."""
    sock = bind("127.0.0.1:0")  # bound here: no other process can take the port in between
    port = sock.getsockname()[1]
    threading.Thread(target=lambda: asyncio.run(serve(create_app(state), sock)), daemon=True).start()
    for _ in range(100):
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                return f"http://127.0.0.1:{port}/"
        threading.Event().wait(0.05)
    raise RuntimeError("the page did not start")


if __name__ == "__main__":
    main()
