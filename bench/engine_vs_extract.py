# SPDX-License-Identifier: MIT
"""Claim extraction against text extraction, on the same pages, in one run.

    python bench/engine_vs_extract.py [PAGES_DIR ...] [--rounds 20]

For every HTML page: trafilatura's extraction (as `monitor.reading.source` calls it),
then the claim engine on the extracted text, each repeated `--rounds` times.
Also times the engine with every facet rule duplicated (2× the rules), which
the prefilter should make nearly free. Prints one JSON report; the figures
that matter are the ratios, since absolute times on a shared machine are noisy.
Default pages: the repository's own test pages and held-out corpus.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.errors import InputError  # noqa: E402
from monitor.reading.source import Document, document_from_bytes  # noqa: E402
from rules.engine import Engine  # noqa: E402
from rules.loader import RULES_DIR  # noqa: E402
from rules.model import Claim  # noqa: E402

DEFAULT_DIRS = [ROOT / "tests" / "pages", ROOT / "tests" / "corpus" / "heldout"]


def per_call_ms(function: Callable[[], object], rounds: int) -> float:
    """The median time of one call, in milliseconds, over `rounds` calls."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def claims_of(engine: Engine, document: Document) -> list[Claim]:
    return engine.extract(document.text, title=document.title, published="2025-10-01").claims


def doubled_rules(target: Path) -> Path:
    """A copy of the rule set with every facet file present twice (under another facet id)."""
    shutil.copytree(RULES_DIR / "vocab", target / "vocab")
    shutil.copytree(RULES_DIR / "facets", target / "facets")
    for path in list((target / "facets").glob("*.toml")):
        twin = path.with_name(f"{path.stem}_twin.toml")
        twin.write_text(path.read_text(encoding="utf-8").replace(f'"{path.stem}"', f'"{twin.stem}"', 1), "utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    pages = sorted(p for d in args.dirs if d.is_dir() for p in d.glob("*.html"))
    if not pages:
        sys.exit("no HTML pages found in " + ", ".join(map(str, args.dirs)))
    engine = Engine.load()
    with tempfile.TemporaryDirectory() as tmp:
        engine_2x = Engine.load(doubled_rules(Path(tmp)))
    extract_ms = engine_ms = engine_2x_ms = 0.0
    claims = 0
    for page in list(pages):
        data = page.read_bytes()
        try:
            document = document_from_bytes(data, source=page.name)
        except InputError:  # a page with no article (a test fixture of a non-article): not a page to time
            pages.remove(page)
            continue
        extract_ms += per_call_ms(lambda d=data, n=page.name: document_from_bytes(d, source=n), args.rounds)
        engine_ms += per_call_ms(lambda d=document: claims_of(engine, d), args.rounds)
        engine_2x_ms += per_call_ms(lambda d=document: claims_of(engine_2x, d), args.rounds)
        claims += len(claims_of(engine, document))
    report = {
        "pages": len(pages),
        "kb_per_page": round(sum(p.stat().st_size for p in pages) / len(pages) / 1024, 1),
        "claims": claims,
        "rules": len(engine.rules.facets),
        "extract_ms_per_page": round(extract_ms / len(pages), 3),
        "claims_ms_per_page": round(engine_ms / len(pages), 3),
        "claims_ms_per_page_2x_rules": round(engine_2x_ms / len(pages), 3),
        "claims_vs_extract": round(engine_ms / extract_ms, 3),
        "rules_2x_ratio": round(engine_2x_ms / engine_ms, 3),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or 'unknown cpu'}",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
