# SPDX-License-Identifier: MIT
"""Pages per second: the whole pipeline, trafilatura alone, and the claim engine alone, on the same pages.

Three figures that only mean something together. `run_pipeline` is one cold
cycle over every feed of a corpus, through the public entry point
(`monitor.pipeline.run_cycle` on a fresh database): poll, fetch every page,
extract, read claims, diff, record, write the digest. `extract_only` is
trafilatura called as `monitor/reading/source.py` calls it, one page after another in
this process: the floor, since no pipeline reads a page faster than its
extractor does. `claims` times the engine on the texts that extraction gave,
with the rule set as shipped and with every facet rule doubled by a twin of
distinct phrases (`engine_vs_extract.doubled_rules`). `reading_equal_cores`
compares the pipeline with trafilatura given the same number of processes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura
from corpus import Corpus, Page
from engine_vs_extract import claims_of, doubled_rules, per_call_ms
from profiling import ThreadProfiler
from progress import say
from spread import paired_ratio, spread
from trafilatura.settings import Document as TrafilaturaDocument

from monitor.config import Config, DigestConfig, FeedConfig, FetchConfig, ReadingConfig
from monitor.pipeline import CycleReport, run_cycle
from monitor.reading.source import Document
from monitor.reading.workers import default_workers
from rules.engine import Engine
from storage import Store

# As monitor/reading/source.py's _extract passes them (keep in step with it).
EXTRACT_OPTIONS = {
    "include_comments": False,
    "with_metadata": True,
    "date_extraction_params": {"original_date": True, "extensive_search": False},
}
PROFILE_LINES = 25


class BenchError(RuntimeError):
    """The pipeline did not do the work being timed (pages failed, articles missing): the figure would lie."""


@dataclass(frozen=True)
class Extracted:
    seconds: float  # in trafilatura only
    documents: list[Document]  # one per page that had an article, text as the pipeline keeps it
    topics: list[str]


def run_pipeline(
    corpus: Corpus,
    base: str,
    work: Path,
    *,
    fetch: dict[str, int],
    profile: Path | None,
    workers: int = 0,
    database: Path | None = None,
) -> dict:
    """One cycle over every feed of `corpus` served at `base`, on a fresh database in `work`, reading
    pages with `workers` processes (0: the service's default, one per core; 1: in a thread)."""
    urls = corpus.feed_urls(base)
    config = Config(
        feed=[FeedConfig(url=url) for url in urls], digest=DigestConfig(path=work / "digest.xml"),
        fetch=FetchConfig(**fetch), reading=ReadingConfig(workers=workers),
    )  # fmt: skip
    engine = Engine.load()
    database = database or work / "pipeline.db"
    with Store.open(database) as store:
        say(f"pipeline: one cycle, {len(urls)} feeds, {len(corpus.pages)} pages{' (profiled)' if profile else ''}")
        stages = StageClock()
        stages.tell("before the first stage")  # the run row, the feeds added from the configuration
        start, cpu_start = time.perf_counter(), time.process_time()
        if profile:
            with ThreadProfiler() as profiler:
                report = asyncio.run(run_cycle(config, store, engine, progress=stages.tell))
        else:
            report = asyncio.run(run_cycle(config, store, engine, progress=stages.tell))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        stages.tell("end")
    _check(report, feeds=len(urls), pages=len(corpus.pages))
    if profile:
        _write_profile(profiler, profile)
    size = database.stat().st_size  # closing the last connection folded the WAL into the file
    return {
        "pipeline_pages_per_s": round(report.articles_new / seconds, 1),
        "pipeline_cycle_s": round(seconds, 2),
        "pipeline_main_process_cpu_s": round(cpu, 2),  # this process only: not the workers it may start
        "pipeline_stages_s": stages.durations(),
        "pipeline_changes_flagged": len(report.changes_flagged),
        "pipeline_profiled": bool(profile),
        "db_mb_per_100k_articles_pipeline": round(size / report.articles_new * 100_000 / 1e6, 1),
    }


class StageClock:
    """When each stage of the cycle started, from `run_cycle`'s progress callback (its public way of telling):
    the wall time of each stage, unprofiled, at no cost."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def tell(self, stage: str) -> None:
        self.marks.append((stage, time.perf_counter()))

    def durations(self) -> dict[str, float]:
        """{stage as the pipeline names it: seconds until the next stage started}; the last mark is the end."""
        return {name: round(end - begin, 2) for (name, begin), (_, end) in itertools.pairwise(self.marks)}


def _check(report: CycleReport, *, feeds: int, pages: int) -> None:
    if report.pages_failed or report.feeds_failed or report.articles_new != pages or report.feeds_polled != feeds:
        raise BenchError(f"pipeline cycle did not read the corpus: {report.summary()}; first errors: "
                         f"{report.errors[:3]}")  # fmt: skip
    say(f"pipeline: {report.summary()}")


def _write_profile(profiler: ThreadProfiler, path: Path) -> None:
    stats = profiler.stats()
    stats.dump_stats(path)
    say(f"pipeline: profile of every thread of this process (not of worker processes), CPU time, written to "
        f"{path}; top {PROFILE_LINES} by cumulative time:")  # fmt: skip
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    say(f"pipeline: top {PROFILE_LINES // 2} by own time (cumulative times of coroutines count every resumption):")
    stats.sort_stats("tottime").print_stats(PROFILE_LINES // 2)
    sys.stderr.flush()


def extract_only(pages: list[Page], base: str) -> Extracted:
    """trafilatura on every page, one after another, timed around trafilatura's calls only."""
    say(f"extract: trafilatura alone on {len(pages)} pages")
    seconds = 0.0
    documents, topics = [], []
    for page in pages:
        url = base + page.path
        start = time.perf_counter()
        tree = trafilatura.load_html(page.html)
        result = trafilatura.bare_extraction(tree, url=url, **EXTRACT_OPTIONS)
        seconds += time.perf_counter() - start
        if isinstance(result, TrafilaturaDocument) and result.text:
            text = "\n".join(line.strip() for line in result.text.splitlines() if line.strip())
            documents.append(Document(source=url, text=text, title=(result.title or "").strip(), url=url))
            topics.append(page.topic)
    if len(documents) != len(pages):
        raise BenchError(f"extract: {len(pages) - len(documents)} of {len(pages)} pages gave no text")
    return Extracted(seconds, documents, topics)


def extract_report(extracted: Extracted) -> dict:
    count = len(extracted.documents)
    return {
        "extract_only_pages_per_s": round(count / extracted.seconds, 1),
        "extract_ms_per_page": round(extracted.seconds / count * 1000, 3),
    }


def claims(extracted: Extracted, *, rounds: int) -> dict:
    """The engine on every extracted text, as shipped and with its rules doubled (distinct phrases), in
    `rounds` paired rounds: each round times every page with both, alternating page by page (so that a
    noisy neighbour slows both alike); a round's ratio is its 2× total over its 1× total. Goal ≤ 1.2."""
    engine = Engine.load()
    with tempfile.TemporaryDirectory() as tmp:
        engine_2x = Engine.load(doubled_rules(Path(tmp)))
    say(f"claims: {len(extracted.documents)} texts, {len(engine.rules.facets)} and "
        f"{len(engine_2x.rules.facets)} facet rules, {rounds} round(s)")  # fmt: skip
    totals: dict[str, list[float]] = {"1x": [], "2x": []}
    for _ in range(rounds):
        ms = {"1x": 0.0, "2x": 0.0}
        for document in extracted.documents:
            ms["1x"] += per_call_ms(lambda d=document: claims_of(engine, d), 1)
            ms["2x"] += per_call_ms(lambda d=document: claims_of(engine_2x, d), 1)
        for name, total in ms.items():
            totals[name].append(total)
    found = {True: [], False: []}  # topical page? -> did it give a claim
    same = 0  # the twins must not change what the shipped rules read
    for document, topic in zip(extracted.documents, extracted.topics, strict=True):
        shipped = claims_of(engine, document)
        found[topic == "topical"].append(bool(shipped))
        same += shipped == claims_of(engine_2x, document)
    count = len(extracted.documents)
    return {
        "claims_rounds": rounds,
        "claims_ms_per_page_1x": spread([t / count for t in totals["1x"]]),
        "claims_ms_per_page_2x": spread([t / count for t in totals["2x"]]),
        "claims_2x_vs_1x": paired_ratio(totals["2x"], totals["1x"], goal=1.2, at_least=False),
        "claims_2x_same_claims": round(same / count, 3),
        "claims_vs_extract": round(statistics.median(totals["1x"]) / count / (extracted.seconds * 1000 / count), 3),
        "topical_pages_with_claims": round(statistics.fmean(found[True]), 3) if found[True] else None,
        "other_pages_with_claims": round(statistics.fmean(found[False]), 3) if found[False] else None,
    }


# --- equal cores: the pipeline against trafilatura across as many worker processes ---------------------------


def _extract_in_worker(item: tuple[str, str]) -> int:
    """trafilatura on one page, as `extract_only` calls it; the text's length (a text is all it makes)."""
    html, url = item
    result = trafilatura.bare_extraction(trafilatura.load_html(html), url=url, **EXTRACT_OPTIONS)
    return len(result.text or "") if isinstance(result, TrafilaturaDocument) else 0


def _warm() -> bool:
    return True


def extract_pool(pages: list[Page], base: str, workers: int) -> float:
    """Seconds for trafilatura alone over `pages` in `workers` processes (started and warm before the clock)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["trafilatura"])
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for started in [pool.submit(_warm) for _ in range(workers)]:
            started.result()
        items = [(page.html, base + page.path) for page in pages]
        start = time.perf_counter()
        lengths = list(pool.map(_extract_in_worker, items, chunksize=4))
        seconds = time.perf_counter() - start
    if not all(lengths):
        raise BenchError(f"extract: {lengths.count(0)} of {len(pages)} pages gave no text in the pool")
    return seconds


def reading_equal_cores(
    corpus: Corpus, base: str, work: Path, *, fetch: dict[str, int], workers: int, rounds: int
) -> dict:
    """Paired rounds: one cold pipeline cycle over the corpus (fresh database, `workers` reading processes),
    then trafilatura alone over the same pages in as many processes. Goal: the pipeline's pages/s ≥ trafilatura's."""
    cores = workers or default_workers()
    pipeline_rate, alone_rate = [], []
    for number in range(1, rounds + 1):
        cycle = run_pipeline(corpus, base, work, fetch=fetch, profile=None, workers=workers,
                             database=work / f"pipeline-{number}.db")  # fmt: skip
        pipeline_rate.append(cycle["pipeline_pages_per_s"])
        alone_rate.append(len(corpus.pages) / extract_pool(corpus.pages, base, cores))
        say(f"reading: round {number}/{rounds}: pipeline {pipeline_rate[-1]:.1f} pages/s, trafilatura alone in "
            f"{cores} processes {alone_rate[-1]:.1f} pages/s")  # fmt: skip
        (work / f"pipeline-{number}.db").unlink()
    return {
        "reading_rounds": rounds,
        "reading_processes": cores,
        "pipeline_pages_per_s_rounds": spread(pipeline_rate, digits=1),
        "extract_pages_per_s_equal_cores": spread(alone_rate, digits=1),
        "pipeline_vs_extract_equal_cores": paired_ratio(pipeline_rate, alone_rate, goal=1.0),
    }
