# SPDX-License-Identifier: MIT
"""Claim extraction against text extraction, on the same pages, in one run.

    python bench/engine_vs_extract.py [PAGES_DIR ...] [--rounds 20]

For every HTML page: trafilatura's extraction (as `monitor.reading.source` calls it),
then the claim engine on the extracted text, each repeated `--rounds` times.
Also times the engine with every facet rule doubled by a twin whose phrases
are all distinct (`doubled_rules`). Prints one JSON report; the figures
that matter are the ratios, since absolute times on a shared machine are noisy.
Default pages: the repository's own test pages and held-out corpus.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
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
    """A copy of the rule set with every facet present twice, the twin's phrases all distinct.

    Each twin (`<facet>_twin`) renames every word of every phrase it holds — triggers, `also`,
    `exclude`, its cues — and speaks of twin entities (`<entity>_twin`, in vocab/entities.toml
    beside the originals) whose aliases are renamed alike: "right of first refusal" becomes
    "rightzq ofzq firstzq refusalzq", "microsoft" "microsoftzq". So the lexicon shares no phrase
    between the two halves (a verbatim copy was matched once: the best case, not a doubling).
    No page holds a renamed word: the twins cost what a second rule set costs a page that does not
    speak of it, which is what a real rule set's other half mostly is to a page.
    """
    shutil.copytree(RULES_DIR / "vocab", target / "vocab")
    shutil.copytree(RULES_DIR / "facets", target / "facets")
    entities_file = target / "vocab" / "entities.toml"
    entities = tomllib.loads(entities_file.read_text(encoding="utf-8"))
    twins = {f"{entity}_twin": {**table, "aliases": [_renamed(a) for a in table["aliases"]]}
             for entity, table in entities.items()}  # fmt: skip
    entities_file.write_text(entities_file.read_text(encoding="utf-8") + "\n" + _toml(twins), encoding="utf-8")
    for path in list((target / "facets").glob("*.toml")):
        twin = path.with_name(f"{path.stem}_twin.toml")
        twin.write_text(_toml(_twin_facet(tomllib.loads(path.read_text(encoding="utf-8")), set(entities))), "utf-8")
    return target


_WORD = re.compile(r"=[\w'-]+|~\d?|(\w[\w'&.$%+-]*)")  # a lemma and a gap stay as written


def _renamed(phrase: str) -> str:
    """Every word of `phrase` renamed ("zq" added); a phrase of one `=lemma` alone becomes a plain renamed word."""
    renamed = _WORD.sub(lambda m: m.group(1) + "zq" if m.group(1) else m.group(0), phrase)
    return renamed.removeprefix("=") + "zq" if renamed == phrase and phrase.startswith("=") else renamed


def _twin_facet(rule: dict, entity_ids: set[str]) -> dict:
    def twin_entities(requirement: str) -> str:
        return "|".join(f"{e}_twin" if e in entity_ids else e for e in requirement.split("|"))

    twin = {**rule, "facet": rule["facet"] + "_twin"}
    twin["triggers"] = [_renamed(p) for p in rule["triggers"]]
    for name in ("exclude",):
        if name in rule:
            twin[name] = [_renamed(p) for p in rule[name]]
    if "also" in rule:
        twin["also"] = [[_renamed(p) for p in group] for group in rule["also"]]
    if "cues" in rule:
        twin["cues"] = {cue: [_renamed(p) for p in phrases] for cue, phrases in rule["cues"].items()}
    for name in ("requires", "rivals"):
        if name in rule:
            twin[name] = [twin_entities(r) for r in rule[name]]
    if "context" in rule:
        twin["context"] = {twin_entities(e): n for e, n in rule["context"].items()}
    return twin


def _toml(tables: dict) -> str:
    """The little TOML the rule files use: strings, numbers, booleans, arrays, tables of those (JSON's
    string and array syntax is TOML's)."""
    lines, subtables = [], []
    for key, value in tables.items():
        if isinstance(value, dict) and (not value or not all(isinstance(v, int) for v in value.values())):
            subtables.append((key, value))
        elif isinstance(value, dict):
            lines.append(
                f"{json.dumps(key)} = {{ " + ", ".join(f"{json.dumps(k)} = {v}" for k, v in value.items()) + " }"
            )
        else:
            lines.append(f"{json.dumps(key)} = {json.dumps(value, ensure_ascii=False)}")
    for key, table in subtables:
        lines += ["", f"[{json.dumps(key)}]", _toml(table)]
    return "\n".join(lines) + "\n"


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
