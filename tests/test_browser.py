# SPDX-License-Identifier: MIT
"""What the page shows in a real browser: headless Chromium (Debian's) loads `/` from the running web app.

The DOM Chromium builds must hold the chart's marks, one per change, each a
link to its change; the screenshot must show them, in the colours of their
kinds, where the chart is. Skipped only where Chromium is not installed
(`.ci/run` installs it).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.pipeline import run_cycle
from monitor.serving.metrics import Metrics
from monitor.serving.web import WebState, bind, create_app, serve
from rules.engine import Engine
from storage import Store
from tests.support import browser
from tests.support.httpserver import LocalServer
from tests.test_pipeline import config_for, serve_corpus

pytestmark = pytest.mark.skipif(browser.chromium() is None, reason="Debian's chromium is not installed")
# The chart's colours (monitor/serving/page.py): used by nothing else on the page
KIND_COLOURS = {"new": (0x15, 0x65, 0xC0), "changed": (0xEF, 0x6C, 0x00), "reversed": (0xC2, 0x18, 0x5B)}


@pytest.fixture
def page_url(local_server: LocalServer, tmp_path: Path) -> Iterator[tuple[str, int, set[str]]]:
    """The web app over a database after one cycle of the dev corpus: (its URL, changes, their kinds)."""
    serve_corpus(local_server)
    engine = Engine.load()
    with Store.open(tmp_path / "m.db") as store:
        report = asyncio.run(run_cycle(config_for(tmp_path, local_server.url("/feed.xml")), store, engine))
        kinds = {c.kind for c in store.changes()}
    state = WebState(database=tmp_path / "m.db", digest=tmp_path / "digest.xml", metrics=Metrics(),
                     health=lambda: (True, "ok"), engine=engine)  # fmt: skip
    sock = bind("127.0.0.1:0")
    loop = asyncio.new_event_loop()
    serving = loop.create_task(serve(create_app(state), sock))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(serving)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/", len(report.changes_flagged), kinds
    loop.call_soon_threadsafe(serving.cancel)
    thread.join(timeout=10)
    loop.close()


def test_the_rendered_page_holds_a_mark_per_change(page_url: tuple[str, int, set[str]]) -> None:
    url, changes, _ = page_url
    dom = browser.dump_dom(url)
    marks = re.findall(r'<a href="#change-([\w.]+)"><circle class="mark kind-(\w+)', dom)
    assert changes and len(marks) == changes, (changes, marks)
    assert all(f'id="change-{change_id}"' in dom for change_id, _ in marks), "each mark links to a change shown"


def test_the_screenshot_shows_the_marks_in_their_kinds_colours(
    page_url: tuple[str, int, set[str]], tmp_path: Path
) -> None:
    from PIL import Image

    url, _, kinds = page_url
    image = Image.open(browser.screenshot(url, tmp_path / "page.png", width=1280, height=3000)).convert("RGB")
    data = image.tobytes()
    pixels = {tuple(data[i : i + 3]) for i in range(0, len(data), 3)}
    for kind in kinds:
        colour = KIND_COLOURS[kind]
        assert any(all(abs(p - c) <= 12 for p, c in zip(pixel, colour, strict=True)) for pixel in pixels), kind
