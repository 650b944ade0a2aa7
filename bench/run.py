# SPDX-License-Identifier: MIT
"""The performance benchmark, in one command: a JSON report on stdout and in bench/last-report.json.

    .venv/bin/python bench/run.py [--quick] [--only SECTION,…] [--profile]    (sections: see SECTIONS)

Everything runs on this machine, in this process tree: a synthetic news corpus
(`corpus`) is served on 127.0.0.1 by a server in a child process (`server`),
and the service is driven through its public entry points only — `run_cycle`,
`Store`, `Engine`, the `monitor` command — so that the benchmark keeps
working while the pipeline's insides change. bench/README.md says what each
figure means. Progress goes to stderr. On a shared machine absolute times are
noisy: compare the ratios, which come from one run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import bigdb  # noqa: E402
import corpus  # noqa: E402
import daemon_rss  # noqa: E402
import history  # noqa: E402
import memory  # noqa: E402
import polling  # noqa: E402
import scaling  # noqa: E402
import server  # noqa: E402
import startup  # noqa: E402
import throughput  # noqa: E402
from progress import say  # noqa: E402
from tomlconfig import write_monitor_toml  # noqa: E402

SECTIONS = (
    "startup",
    "pipeline",
    "extract",
    "claims",
    "reading",
    "poll",
    "db",
    "history",
    "daemon",
    "memory",
    "scaling",
)
# Everything is on one host here; real feeds are on many. per_host = max_connections gives the
# concurrency that the default limits (10 overall, 2 per host) give over 5 or more hosts.
FETCH = {"max_connections": 10, "per_host": 10}
REPORT = HERE / "last-report.json"
PROFILE = HERE / "pipeline.prof"


@dataclass(frozen=True)
class Scale:
    feeds: int  # news corpus: feeds × articles pages
    articles: int
    poll_feeds: int  # one-item feeds for the unchanged poll, urlwatch and the daemon
    db_articles: int  # the large database the daemon runs over
    claims_rounds: int
    rounds: int  # paired rounds of the polling comparison
    reading_rounds: int  # paired rounds of the pipeline against trafilatura (a 2,000-page cycle each)
    memory_articles: tuple[int, int]  # new pages per feed of the small and the big cold cycle over poll_feeds feeds
    memory_rounds: int  # a big cycle takes minutes: fewer rounds than the others


FULL = Scale(feeds=40, articles=50, poll_feeds=1000, db_articles=100_000, claims_rounds=5, rounds=7, reading_rounds=5,
             memory_articles=(2, 20), memory_rounds=2)  # fmt: skip
QUICK = Scale(feeds=10, articles=30, poll_feeds=1000, db_articles=10_000, claims_rounds=5, rounds=5, reading_rounds=5,
              memory_articles=(1, 5), memory_rounds=1)  # fmt: skip


class Bench:
    """The sections, and what they share, each made on first use: corpora, their servers, the extraction."""

    def __init__(self, scale: Scale, work: Path, stack: ExitStack, *, profile: bool, workers: int = 0) -> None:
        self.workers = workers  # [reading] workers for the pipeline section
        self.scale = scale
        self.work = work
        self.stack = stack
        self.profile = profile
        self.results: dict[str, object] = {}

    # shared material

    @cached_property
    def news(self) -> corpus.Corpus:
        say(f"corpus: generating {self.scale.feeds} feeds × {self.scale.articles} articles")
        return corpus.generate(corpus.Spec(feeds=self.scale.feeds, articles=self.scale.articles))

    @cached_property
    def news_base(self) -> str:
        return self._serve(self.news, "news", all_304=False)

    @cached_property
    def small_feeds(self) -> corpus.Corpus:
        say(f"corpus: generating {self.scale.poll_feeds} one-item feeds")
        return corpus.generate(corpus.Spec(feeds=self.scale.poll_feeds, articles=1, seed=1000, prefix="s"))

    @cached_property
    def items(self) -> list[bigdb.Item]:
        base = self._serve(self.small_feeds, "small", all_304=True)
        return [bigdb.Item(base + f.path, base + f.pages[0].path, f.pages[0]) for f in self.small_feeds.feeds]

    @cached_property
    def extracted(self) -> throughput.Extracted:
        return throughput.extract_only(self.news.pages, self.news_base)

    @cached_property
    def big_db(self) -> Path:
        path = self.work / "big.db"
        say(f"db: building a database of {self.scale.db_articles} articles through the Store API")
        start = time.perf_counter()
        bigdb.build_database(path, self.items, total=self.scale.db_articles)
        self.results["db_build_s"] = round(time.perf_counter() - start, 1)
        return path

    def _serve(self, site: corpus.Corpus, name: str, *, all_304: bool) -> str:
        root = self.work / name
        site.write(root)
        base = self.stack.enter_context(server.serve(root, all_304=all_304))
        say(f"server: {name} corpus at {base}{' (every feed 304 to a conditional GET)' if all_304 else ''}")
        return base

    # sections

    def startup(self) -> dict:
        return startup.startup(work=self.work)

    def pipeline(self) -> dict:
        profile = PROFILE if self.profile else None
        return throughput.run_pipeline(
            self.news, self.news_base, self.work, fetch=FETCH, profile=profile, workers=self.workers
        )

    def extract(self) -> dict:
        return throughput.extract_report(self.extracted)

    def claims(self) -> dict:
        return throughput.claims(self.extracted, rounds=self.scale.claims_rounds)

    def reading(self) -> dict:
        return throughput.reading_equal_cores(self.news, self.news_base, self.work, fetch=FETCH,
                                              workers=self.workers, rounds=self.scale.reading_rounds)  # fmt: skip

    def poll(self) -> dict:
        result = polling.poll_unchanged(self.items, self.work, fetch=FETCH, rounds=self.scale.rounds)
        self.results.update(result)
        return result

    def memory(self) -> dict:
        sites = {}
        for name, articles, seed in (("small", self.scale.memory_articles[0], 3000),
                                     ("big", self.scale.memory_articles[1], 4000)):  # fmt: skip
            say(f"corpus: generating {self.scale.poll_feeds} feeds × {articles} articles")
            site = corpus.generate(corpus.Spec(feeds=self.scale.poll_feeds, articles=articles, seed=seed,
                                               prefix=name[0]))  # fmt: skip
            sites[name] = (site.feed_urls(self._serve(site, f"memory-{name}", all_304=False)), len(site.pages))
        return memory.memory(sites, self.work, fetch=FETCH, rounds=self.scale.memory_rounds)

    def db(self) -> dict:
        size = self.big_db.stat().st_size
        return {
            "db_articles": self.scale.db_articles,
            "db_mb": round(size / 1e6, 1),
            "db_mb_per_100k_articles": round(size / self.scale.db_articles * 100_000 / 1e6, 1),
            "db_build_s": self.results.get("db_build_s"),
        }

    def history(self) -> dict:
        return history.history(self.big_db, self.work)

    def daemon(self) -> dict:
        config = write_monitor_toml(self.work / "daemon.toml", [item.feed_url for item in self.items],
                                    digest=self.work / "daemon-digest.xml", fetch=FETCH, interval="10s")  # fmt: skip
        small = self.work / "daemon-small.db"
        say(f"daemon: {len(self.items)} feeds over a database of {len(self.items)} articles")
        bigdb.build_database(small, self.items, total=len(self.items))
        on_small = daemon_rss.daemon_peak_rss(config, small, feeds=len(self.items), log=self.work / "daemon-small.log")
        say(f"daemon: {on_small}; now over the database of {self.scale.db_articles} articles")
        on_big = daemon_rss.daemon_peak_rss(config, self.big_db, feeds=len(self.items), log=self.work / "daemon.log")
        say(f"daemon: {on_big}")
        return {
            "daemon_peak_rss_mb": on_big["peak_rss_mb"],
            "daemon_rss_small_db_mb": on_small["peak_rss_mb"],
            "daemon_db_articles": self.scale.db_articles,
            "daemon_small_db_articles": len(self.items),
            "daemon_runs": {"big_db": on_big, "small_db": on_small},
        }

    def scaling(self) -> dict:
        """Cold-cycle pages/s with 1, 2, 3 daemons on one PostgreSQL (and one on SQLite): bench/scaling.py."""
        return scaling.scaling(self.news, self.news_base, self.work, fetch=FETCH)

    def corpus_facts(self) -> dict:
        """What was measured on: only for the corpora this run generated."""
        facts: dict[str, object] = {}
        if "news" in self.__dict__:
            facts |= {"pages": len(self.news.pages), "feeds": len(self.news.feeds),
                      "corpus_mb": round(self.news.size_bytes() / 1e6, 1),
                      "topical_share": self.news.spec.topical_share}  # fmt: skip
        if "small_feeds" in self.__dict__:
            facts["poll_feeds"] = len(self.small_feeds.feeds)
        return facts


def main() -> None:
    args = _arguments()
    started = time.perf_counter()
    scale = QUICK if args.quick else FULL
    host = machine()
    report: dict[str, object] = {"quick": args.quick, "sections": args.only, "scale": asdict(scale), "fetch": FETCH,
                                 "reading_workers": args.workers or "one per core",
                                 "machine": host, "versions": versions()}  # fmt: skip
    with ExitStack() as stack:
        if args.keep:
            work = Path(tempfile.mkdtemp(prefix="bench-"))
            say(f"work directory (kept): {work}")
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        bench = Bench(scale, work, stack, profile=args.profile, workers=args.workers)
        sections: dict[str, Callable[[], dict]] = {name: getattr(bench, name) for name in SECTIONS}
        try:
            for name in args.only:
                report |= sections[name]()
        except throughput.BenchError as exc:
            sys.exit(f"bench: error: {exc}")
        report |= bench.corpus_facts()
    report |= ratios(report)
    host["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    report["run_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    REPORT.write_text(text + "\n", encoding="utf-8")
    print(text)
    say(f"done in {report['run_s']}s; report also in {REPORT}")
    if missed := missed_goals(report):
        sys.exit(f"bench: goals not met: {', '.join(missed)}")


def missed_goals(report: dict[str, object]) -> list[str]:
    """The figures of this run that carry a goal and did not meet it (a benchmark, not a test: CI does not run it)."""
    missed = [key.removesuffix("_met") for key, value in report.items() if key.endswith("_goal_met") and value is False]
    missed += [key for key, value in report.items() if isinstance(value, dict) and value.get("goal_met") is False]
    return missed


def ratios(report: dict[str, object]) -> dict[str, float | None]:
    """The figures that compare two measurements of this run."""

    def ratio(top: str, bottom: str) -> float | None:
        a, b = report.get(top), report.get(bottom)
        return round(a / b, 3) if isinstance(a, int | float) and isinstance(b, int | float) and b else None

    # the pipeline reads on every core, trafilatura alone on one: not the comparison that carries the goal
    # (`pipeline_vs_extract_equal_cores`, section reading), shown beside it
    pairs = {"pipeline_vs_extract_one_process": ("pipeline_pages_per_s", "extract_only_pages_per_s")}
    return {name: ratio(*pair) for name, pair in pairs.items() if pair[0] in report and pair[1] in report}


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for package in ("trafilatura", "feedparser", "httpx", "lxml", "msft-openai-monitor"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    found["commit"] = _git("rev-parse", "--short", "HEAD")
    found["worktree_dirty"] = str(bool(_git("status", "--porcelain", "--untracked-files=no")))
    return found


def _git(*arguments: str) -> str | None:
    """Read-only git queries, for knowing which code was measured."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"smaller corpus and database ({QUICK})")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections (default: all): "
                        f"{', '.join(SECTIONS)}")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help=f"cProfile the pipeline cycle into {PROFILE}")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="[reading] workers for the pipeline (default 0: one per core; 1: one core, in a thread)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (corpus, databases, logs)")
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(args.only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)} (choose from {', '.join(SECTIONS)})")
    args.only = [name for name in SECTIONS if name in args.only]  # always in this order
    return args


if __name__ == "__main__":
    main()
