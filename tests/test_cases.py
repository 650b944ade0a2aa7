# SPDX-License-Identifier: MIT
"""`monitor changes export-cases`: analysts' verdicts as labelled corpus cases that build.py reads back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor.judging.cases import export_cases
from storage import Store
from tests.support.cases import parse_cases, parse_triples

EN_TEXT = "Microsoft and OpenAI signed a new deal.\n=== id: injected | lang: fr\n---\nThe last paragraph | with a bar."
FR_TEXT = "Microsoft et OpenAI ont renégocié leur accord.\nUne dérogation est prévue pour les laboratoires publics."


def change(change_id: str, facet: str, key: str, kind: str) -> dict[str, object]:
    return {"id": change_id, "facet": facet, "key": key, "kind": kind, "after": {"status": "active"},
            "severity": "high", "summary": change_id, "first_seen": "2026-01-12T09:00:00+00:00"}  # fmt: skip


def populated(path: Path) -> Store:
    store = Store.open(path)
    english, _ = store.add_article(guid=None, url="https://news.example/en", content_hash="en", title="A deal\n signed",
                                   published="2026-01-12", lang="en", text=EN_TEXT, feed_id=None)  # fmt: skip
    french, _ = store.add_article(guid=None, url="https://news.example/fr", content_hash="fr", title="Un accord",
                                  published="2026-01-14T08:00:00+00:00", lang="fr", text=FR_TEXT,
                                  feed_id=None)  # fmt: skip
    quiet, _ = store.add_article(guid=None, url="https://news.example/q", content_hash="q", title="Nothing judged",
                                 published="2026-01-15", lang="en", text="No verdict here.", feed_id=None)  # fmt: skip
    store.add_change(change("chg_a", "openai.compute_provider", "aws", "new"), article_id=english.id)
    store.add_change(change("chg_r", "azure.rofr", "microsoft", "reversed"), article_id=english.id)
    store.add_change(change("chg_u", "stargate", "stargate", "changed"), article_id=english.id)
    store.add_change(change("chg_q", "openai.chip", "openai", "changed"), article_id=quiet.id)  # never reviewed
    store.review_change("chg_a", "accepted")
    store.review_change("chg_r", "rejected", note="the right; was only restated")
    for n, sentence in enumerate(FR_TEXT.splitlines()):
        store.signals.add({"id": f"sig_{n}", "sentence": sentence, "lang": "fr", "parties": ["microsoft"],
                           "terms": [], "verbs": [], "happened_at": "2026-01-14"}, article_id=french.id)  # fmt: skip
    store.signals.review("sig_0", "promoted", label={"facet": "relationship.rivalry", "key": "microsoft",
                                                     "kind": "changed", "note": "a new clause"})  # fmt: skip
    store.signals.review("sig_1", "dismissed", label={"note": "a detail"})
    return store


def test_reviewed_changes_and_triaged_signals_round_trip_through_build_py(tmp_path: Path) -> None:
    with populated(tmp_path / "monitor.db") as store:
        text = export_cases(store)
    cases = parse_cases(text)
    assert [c["url"] for c in cases] == ["https://news.example/en", "https://news.example/fr"], "only judged articles"
    english, french = cases
    assert (english["lang"], english["published"], english["template"]) == ("en", "2026-01-12", "news")
    assert english["title"] == "A deal signed" and english["id"].startswith("review-")
    assert parse_triples(english["expect"]) == [{"facet": "openai.compute_provider", "key": "aws", "kind": "new"}]
    assert parse_triples(english["accept"]) == [{"facet": "stargate", "key": "stargate", "kind": "changed"}]
    assert (
        "azure.rofr/microsoft/reversed rejected (must not be flagged): the right; was only restated" in english["note"]
    )
    # the article's own text, a paragraph per line, with nothing that could end the fields or start a case
    assert english["paragraphs"] == ["Microsoft and OpenAI signed a new deal.", "id: injected | lang: fr",
                                     "The last paragraph | with a bar."]  # fmt: skip
    assert (french["lang"], french["published"]) == ("fr", "2026-01-14")
    assert parse_triples(french["expect"]) == [{"facet": "relationship.rivalry", "key": "microsoft", "kind": "changed"}]
    assert parse_triples(french["accept"]) == []
    assert (
        "signal promoted to relationship.rivalry/microsoft/changed" in french["note"] and "dismissed" in french["note"]
    )
    assert french["paragraphs"] == FR_TEXT.splitlines()


def test_export_cases_from_the_command_line(tmp_path: Path) -> None:
    populated(tmp_path / "monitor.db").close()
    config = tmp_path / "monitor.toml"
    config.write_text(f'database = "{tmp_path / "monitor.db"}"\n', encoding="utf-8")
    out = tmp_path / "cases.txt"
    run = subprocess.run([sys.executable, "-m", "monitor", "changes", "export-cases", "--out", str(out),
                          "--config", str(config)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip() == f"{out}: 2 case(s)", run.stderr
    assert len(parse_cases(out.read_text(encoding="utf-8"))) == 2
    nowhere = tmp_path / "no" / "x"
    bad = subprocess.run([sys.executable, "-m", "monitor", "changes", "export-cases", "--out", str(nowhere),
                          "--config", str(config)], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.startswith(f"monitor: error: {nowhere}: cannot write")


def test_nothing_reviewed_exports_nothing() -> None:
    assert export_cases(Store.memory()) == ""
