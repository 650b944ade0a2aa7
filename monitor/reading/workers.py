# SPDX-License-Identifier: MIT
"""Stage 3: from a fetched page (or an entry's full text) to an article with its claims.

Text extraction (trafilatura) and claim extraction (the engine) are CPU-bound
and hold the GIL, so threads cannot spread them over cores. A cycle with many
pages to read (`[reading] pool_from`, 40) reads them in a pool of worker
processes (`[reading] workers`, one per core by default), each with its own copy of the
engine; a smaller cycle reads them in a thread. The pool lives for one cycle:
a daemon that finds a few new articles a minute holds no worker processes
between cycles, and workers never outlive a rules reload.

Workers start from a fork server that has imported trafilatura and the rules
once: forking the daemon itself, which runs threads, could copy a held lock.
What the fork server imported is frozen out of the garbage collector's reach
(`monitor.reading.forkserver`), so that the workers keep sharing its memory
instead of each copying it; the main process imports no trafilatura when
the pool reads.

What is read is plain: the title one line without markup (the page's own title
when the feed's is empty), the text without control characters and cut at
MAX_TEXT_CHARS (on a line break), the date only when plausible.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import pickle
import signal
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import TracebackType

from monitor.collecting.feeds import UNPRINTABLE, plain_title, plausible_date
from monitor.errors import EXPECTED, error_line
from monitor.reading.article import ArticleInput
from rules.engine import Engine

logger = logging.getLogger(__name__)
MAX_TEXT_CHARS = 200_000  # ~35,000 words: more is not an article, and the rules read every sentence
MAX_WORKERS = 8
_NOISY = ("trafilatura", "htmldate", "courlan", "justext")


@dataclass(frozen=True)
class PageJob:
    """One article to read: the page's bytes, or the text the feed carried, and what the entry said."""

    link: str  # as the feed gave it: named in errors
    feed_ids: tuple[int, ...]
    guid: str | None
    url: str | None  # canonical
    entry_title: str
    entry_published: str | None
    content: bytes | None = None
    final_url: str | None = None
    content_type: str | None = None
    full_text: str | None = None  # instead of content


def read_page(job: PageJob, engine: Engine) -> ArticleInput | str:
    """The article with its claims, or a one-line error naming the page."""
    try:
        if job.full_text is not None:
            text, title, published = job.full_text, job.entry_title, job.entry_published
        else:
            # here, not at the top: a cycle that reads in workers never imports trafilatura in its main process
            from monitor.reading.source import document_from_bytes

            document = document_from_bytes(
                job.content or b"", source=job.link, url=job.final_url, content_type=job.content_type
            )
            title = plain_title(job.entry_title) or plain_title(document.title)
            text, published = document.text, plausible_date(job.entry_published) or document.published
        return _article(job, text, title, published, engine)
    except EXPECTED as exc:
        return error_line(str(exc))
    except Exception as exc:  # noqa: BLE001 - the one boundary per page: a bug must not stop the cycle
        logger.exception("page read crashed article_url=%s", job.link)
        return error_line(f"{job.link}: internal error ({type(exc).__name__}: {exc})")


def _article(job: PageJob, text: str, title: str, published: str | None, engine: Engine) -> ArticleInput:
    text = _bounded_text(UNPRINTABLE.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n"))
    normalized = " ".join(text.split())
    published = plausible_date(published)
    day = published[:10] if published else None
    title = plain_title(title)
    return ArticleInput(
        feed_ids=job.feed_ids,
        guid=job.guid,
        url=job.url,
        title=title,
        published=day,
        text=text,
        content_hash=hashlib.sha256(normalized.encode("utf-8", "replace")).hexdigest(),
        extraction=engine.extract(text, title=title, published=day, source=job.url or ""),
    )


def _bounded_text(text: str) -> str:
    """At most MAX_TEXT_CHARS, cut after the last whole line that fits (or mid-line if none does)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
    return text[: cut if cut > 0 else MAX_TEXT_CHARS]


def default_workers() -> int:
    """One worker per core this process may use, at most MAX_WORKERS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


class Reader:
    """Reads pages for one cycle: in worker processes when there are `pool_from` pages or more
    and more than one worker, else in a thread. A context manager: leaving it stops the pool."""

    def __init__(self, engine: Engine, *, pages: int, workers: int = 0, pool_from: int = 40) -> None:
        self.engine = engine
        self.workers = workers or default_workers()
        self._wanted = min(self.workers, pages) if self.workers > 1 and pages >= pool_from else 0
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    async def __aenter__(self) -> Reader:
        if self._wanted:
            # In a thread: starting the fork server imports trafilatura and the rules (about a
            # second), which must not stall the daemon's event loop (its HTTP endpoints, signals).
            self._pool = await asyncio.to_thread(_start_pool, self.engine, self._wanted)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.close)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _abandon_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            _stop(pool)

    async def read(self, job: PageJob) -> ArticleInput | str:
        """The article or a one-line error; a worker that dies is replaced by the thread."""
        if self._pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool, _read_in_worker, job)
            except BrokenProcessPool:
                # A worker was killed (out of memory, a signal): the pool is gone; read the rest here.
                logger.error("a reading worker died; the rest of the cycle is read in this process")
                self._abandon_pool()
            except (OSError, RuntimeError) as exc:  # no worker could start (a resource limit, a frozen app)
                logger.error("reading workers could not start (%s); reading in this process", error_line(str(exc), 200))
                self._abandon_pool()
        return await asyncio.to_thread(read_page, job, self.engine)


# --- worker processes -------------------------------------------------------------------------

_worker_engine: Engine | None = None


def _start_pool(engine: Engine, workers: int) -> concurrent.futures.ProcessPoolExecutor | None:
    logger.info("reading in %d worker processes", workers)
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # trafilatura and the rules imported once, then frozen (monitor.reading.forkserver) for the workers to share
        context.set_forkserver_preload(
            ["monitor.reading.source", "monitor.reading.workers", "monitor.reading.forkserver"]
        )
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(pickle.dumps(engine),)
    )
    try:
        for started in [pool.submit(_ready) for _ in range(workers)]:  # workers start on demand: start them all
            started.result()
    except Exception as exc:  # noqa: BLE001 - no pool is no failure: the cycle reads in a thread
        logger.error("reading workers could not start (%s); reading in this process", error_line(str(exc), 200))
        _stop(pool)
        return None
    return pool


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool, broken or not. Python 3.11 waits for a broken pool's live workers without
    stopping them (fixed in 3.12, CPython gh-94777): stop them first."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _ready() -> bool:
    return _worker_engine is not None


def _init_worker(engine: bytes) -> None:
    global _worker_engine
    # Ctrl-C reaches the whole process group: the parent stops the pool; a worker that raised
    # KeyboardInterrupt would only print a traceback and break the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_engine = pickle.loads(engine)  # noqa: S301 - our own engine, pickled by the parent
    for name in _NOISY:  # as monitor.serving.logs does in the parent: their warnings are not the operator's
        logging.getLogger(name).setLevel(logging.ERROR)


def _read_in_worker(job: PageJob) -> ArticleInput | str:
    assert _worker_engine is not None, "the pool's initializer loads the engine"
    return read_page(job, _worker_engine)
