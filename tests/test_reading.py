# SPDX-License-Identifier: MIT
"""monitor.reading.workers: pages read in worker processes give what a thread gives, and a dead worker loses nothing."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from monitor.config import Config, DigestConfig, FeedConfig, ReadingConfig
from monitor.pipeline import run_cycle
from monitor.reading.article import ArticleInput
from monitor.reading.workers import PageJob, Reader, read_page
from rules.engine import Engine
from storage import Store
from tests.support.httpserver import LocalServer
from tests.test_pipeline import DEV, serve_corpus


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _changes_of_a_cycle(server: LocalServer, path: Path, engine: Engine, reading: ReadingConfig) -> list[tuple]:  # type: ignore[type-arg]
    config = Config(
        feed=[FeedConfig(url=server.url("/feed.xml"))], digest=DigestConfig(path=path / "digest.xml"), reading=reading
    )
    store = Store.open(path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine))
    assert report.pages_failed == 0 and report.articles_new == len(list(DEV.glob("*.html")))
    changes = sorted((c.id, c.facet, c.key, c.kind, c.summary, str(c.after)) for c in store.changes())
    store.close()
    return changes


def test_a_pool_of_workers_reads_what_a_thread_reads(
    local_server: LocalServer, tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    serve_corpus(local_server)
    (tmp_path / "thread").mkdir()
    (tmp_path / "pool").mkdir()
    in_thread = _changes_of_a_cycle(local_server, tmp_path / "thread", engine, ReadingConfig(workers=1))
    caplog.set_level(logging.DEBUG, logger="monitor.reading.workers")
    in_pool = _changes_of_a_cycle(local_server, tmp_path / "pool", engine, ReadingConfig(workers=2, pool_from=1))
    assert "reading in 2 worker processes" in caplog.text
    assert in_thread and in_pool == in_thread


def _job(name: str) -> PageJob:
    page = DEV / name
    return PageJob(
        link=f"http://127.0.0.1/{name}", feed_ids=(1,), guid=None, url=f"http://127.0.0.1/{name}",
        entry_title="", entry_published="2025-10-28", content=page.read_bytes(), content_type="text/html",
    )  # fmt: skip


def test_a_worker_killed_mid_cycle_is_replaced_by_the_thread(engine: Engine) -> None:
    async def read_after_killing_the_workers() -> tuple[ArticleInput | str, ArticleInput | str]:
        async with Reader(engine, pages=2, workers=2, pool_from=1) as reader:
            first = await reader.read(_job("dev-01.html"))
            assert reader.parallel
            for pid in list(reader._pool._processes):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGKILL)
            second = await reader.read(_job("dev-02.html"))
            assert not reader.parallel, "the broken pool was dropped"
            return first, second

    first, second = asyncio.run(read_after_killing_the_workers())
    expected = read_page(_job("dev-02.html"), engine)
    assert isinstance(first, ArticleInput) and isinstance(second, ArticleInput)
    assert second.extraction is not None and expected.extraction is not None  # type: ignore[union-attr]
    assert second.extraction.claims == expected.extraction.claims  # type: ignore[union-attr]


def test_ctrl_c_is_left_to_the_parent(engine: Engine) -> None:
    async def read_after_interrupting_the_workers() -> tuple[bool, ArticleInput | str]:
        async with Reader(engine, pages=2, workers=2, pool_from=1) as reader:
            # Both workers started and past their initializer (which ignores SIGINT): on a busy
            # machine a signal sent earlier lands before it and kills the worker, not what is tested
            await asyncio.gather(reader.read(_job("dev-01.html")), reader.read(_job("dev-06.html")))
            for pid in list(reader._pool._processes):  # type: ignore[union-attr]
                os.kill(pid, signal.SIGINT)
            page = await reader.read(_job("dev-02.html"))
            return reader.parallel, page

    parallel, page = asyncio.run(read_after_interrupting_the_workers())
    assert parallel, "the pool survived"
    assert isinstance(page, ArticleInput)


def test_few_pages_are_read_in_a_thread(engine: Engine) -> None:
    async def parallel(pages: int, workers: int) -> bool:
        async with Reader(engine, pages=pages, workers=workers, pool_from=40) as reader:
            return reader.parallel

    assert not asyncio.run(parallel(pages=3, workers=2))
    assert not asyncio.run(parallel(pages=100, workers=1))
    assert asyncio.run(parallel(pages=100, workers=2))


def test_a_page_error_is_one_line_naming_the_page(engine: Engine) -> None:
    job = PageJob(
        link="http://127.0.0.1/x.png", feed_ids=(1,), guid=None, url=None, entry_title="", entry_published=None,
        content=b"\x89PNG\r\n\x1a\n" + bytes(100),
    )  # fmt: skip
    error = read_page(job, engine)
    assert isinstance(error, str) and error.startswith("http://127.0.0.1/x.png: binary data") and "\n" not in error
