# SPDX-License-Identifier: MIT
"""The signal detector measured on labelled corpora: noise on quiet pages, and the misses it covers.

    .venv/bin/python tools/signal_figures.py [CORPUS_DIR …] [--json] [--show]
        (default: ../shared/corpus/dev2 and dev beside the repository, else tests/corpus/dev2 and dev)

Each page is read as `monitor check` reads it — extracted, its claims diffed against the
seed baseline alone — and its signals found the way a cycle finds them: against the
baseline's sentences (and, within the page, its own earlier signals). Per corpus, and for
dev2 split into its **tune** half (ids not a multiple of 3: what the detector's words and
threshold were chosen on) and its held-out **check** third (ids a multiple of 3):

- `signals_per_quiet_article`: signals on the pages labelled as flagging nothing (goal ≤ 0.1);
- `missed`: labelled changes (`expect`) the engine does not flag;
- `covered_loose`: of those, the share whose page has a signal;
- `covered_strict`: the share whose page has a signal naming the change's facet (a trigger of
  it) or, for a key other than the two parties, the key itself;
- `misread`: the share the rules did read, as a claim of that facet and key with another verdict
  (history, confirmed…): its sentence is a claim's evidence, which by definition is no signal.

Exits 1 when a corpus cannot be read. `--show` prints every signal with its page.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# ../shared's corpora, else the repository's copies of them (tests/corpus: the same files)
DEFAULTS = [
    shared if (shared := ROOT.parent / "shared" / "corpus" / name).is_dir() else ROOT / "tests" / "corpus" / name
    for name in ("dev2", "dev")
]
sys.path.insert(0, str(ROOT))

from monitor.judging.baseline import build_baseline  # noqa: E402
from monitor.judging.check import check_document  # noqa: E402
from monitor.judging.signals import Candidate  # noqa: E402
from monitor.reading.source import read_source  # noqa: E402
from rules.engine import Engine  # noqa: E402

PARTY_KEYS = {"microsoft", "openai", "stargate", "mai"}
QUIET_GOAL = 0.1


@dataclass
class Tally:
    quiet: int = 0
    quiet_signals: int = 0
    missed: int = 0
    covered_loose: int = 0
    covered_strict: int = 0
    misread: int = 0
    cases: int = 0
    signals: int = 0
    shown: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        share = lambda n: round(n / self.missed, 2) if self.missed else None  # noqa: E731
        return {
            "cases": self.cases,
            "signals": self.signals,
            "quiet_articles": self.quiet,
            "signals_on_quiet": self.quiet_signals,
            "signals_per_quiet_article": round(self.quiet_signals / self.quiet, 3) if self.quiet else None,
            "quiet_goal_met": (self.quiet_signals / self.quiet <= QUIET_GOAL) if self.quiet else None,
            "missed": self.missed,
            "covered_loose": share(self.covered_loose),
            "covered_strict": share(self.covered_strict),
            "misread": share(self.misread),
        }


def covers(signal: Candidate, facet: str, key: str) -> bool:
    """Does the signal speak of this change: its facet's trigger, or its own key (a provider, a partner)?"""
    return facet in signal.terms or (key not in PARTY_KEYS and key in signal.parties)


def measure(corpus: Path, engine: Engine, *, show: bool) -> dict[str, Tally]:
    baseline = build_baseline(engine)
    tallies = {"all": Tally()}
    split = corpus.name == "dev2"
    if split:
        tallies.update(tune=Tally(), check=Tally())
    for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        number = int(re.sub(r"\D", "", case["id"].rsplit("-", 1)[-1]) or 0)
        parts = [tallies["all"]] + ([tallies["check" if number % 3 == 0 else "tune"]] if split else [])
        document = read_source(str(corpus / case["file"]))
        result = check_document(document, engine=engine, state=baseline.copy(), published=case["published"])
        signals = result.signals  # found as a cycle finds them, against the seeds' sentences
        got = {(c.facet, c.key, c.kind) for c in result.changes}
        read = {(r.claim.facet, r.claim.key) for r in result.readings}
        missed = [e for e in case["expect"] if (e["facet"], e["key"], e["kind"]) not in got]
        for tally in parts:
            tally.cases += 1
            tally.signals += len(signals)
            if not case["expect"]:
                tally.quiet += 1
                tally.quiet_signals += len(signals)
            tally.missed += len(missed)
            tally.covered_loose += len(missed) if signals else 0
            tally.covered_strict += sum(any(covers(s, m["facet"], m["key"]) for s in signals) for m in missed)
            tally.misread += sum((m["facet"], m["key"]) in read for m in missed)
        if show:
            quiet = " (quiet)" if not case["expect"] else ""
            missed_text = ", ".join(f"{m['facet']}/{m['key']}/{m['kind']}" for m in missed)
            print(f"{case['id']}{quiet}: missed [{missed_text}]", file=sys.stderr)
            for signal in signals:
                print(
                    f"    {signal.sentence}  {{{' '.join(signal.terms)}}} <{' '.join(signal.verbs)}>", file=sys.stderr
                )
    return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULTS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", action="store_true", help="print every signal found (stderr)")
    args = parser.parse_args(argv)
    engine = Engine.load()
    report: dict[str, Any] = {}
    for corpus in args.corpora:
        if not (corpus / "labels.jsonl").is_file():
            print(f"signal_figures: error: {corpus}: no labels.jsonl here", file=sys.stderr)
            return 1
        for part, tally in measure(corpus, engine, show=args.show).items():
            report[corpus.name if part == "all" else f"{corpus.name}:{part}"] = tally.figures()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, figures in report.items():
            print(f"{name:12} " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
