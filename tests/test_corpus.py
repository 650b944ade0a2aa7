# SPDX-License-Identifier: MIT
"""The engine on labelled corpora of whole pages, scored as ../shared/corpus/score.py scores them.

tests/corpus/dev is a copy of the development corpus; tests/corpus/heldout was
written from the spec by someone who had not seen the rules. Both are HTML
pages in site templates, so text extraction is part of what is scored. The
bars are the product's: F1 ≥ 0.90 and at most 10% of quiet pages alarmed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.baseline import build_baseline
from monitor.check import check_document
from monitor.diff import KnownState
from monitor.source import read_source
from rules.engine import Engine

CORPORA = sorted(p.parent for p in (Path(__file__).parent / "corpus").glob("*/labels.jsonl"))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    quiet: int = 0
    quiet_alarmed: int = 0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def triple(change: dict[str, str]) -> tuple[str, str, str]:
    return change["facet"], str(change.get("key", "")).lower(), change["kind"]


@pytest.fixture(scope="module")
def engine_and_baseline() -> tuple[Engine, KnownState]:
    engine = Engine.load()
    return engine, build_baseline(engine)


@pytest.mark.parametrize("corpus", CORPORA, ids=[c.name for c in CORPORA])
def test_corpus_score(corpus: Path, engine_and_baseline: tuple[Engine, KnownState]) -> None:
    engine, baseline = engine_and_baseline
    score, report = Score(), []
    for line in (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        result = check_document(
            read_source(str(corpus / case["file"])), engine=engine, state=baseline, published=case["published"]
        )
        got = {triple(c.to_json()) for c in result.changes}
        want, ok = {triple(c) for c in case["expect"]}, {triple(c) for c in case["accept"]}
        misses, alarms = want - got, got - want - ok
        score.tp, score.fn, score.fp = score.tp + len(want & got), score.fn + len(misses), score.fp + len(alarms)
        if not want:
            score.quiet += 1
            score.quiet_alarmed += bool(alarms)
        if misses or alarms:
            report.append(f"{case['id']}: missed={sorted(misses)} false_alarms={sorted(alarms)}")
    quiet_rate = score.quiet_alarmed / score.quiet if score.quiet else 0.0
    summary = f"{corpus.name}: f1={score.f1:.2f} quiet_false_alarm_rate={quiet_rate:.2f}\n" + "\n".join(report)
    assert score.f1 >= 0.90, summary
    assert quiet_rate <= 0.10, summary
