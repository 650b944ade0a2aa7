# SPDX-License-Identifier: MIT
"""Signals: sentences of change no rule read — found in both languages, new against what is known,
one per fact across sources, triaged from the command line, alerted only when configured."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from standardwebhooks.webhooks import Webhook

from monitor.config import Config, DeliveryConfig, DigestConfig, FeedConfig, SignalsConfig, WebhookConfig
from monitor.delivering.channels import build_channels
from monitor.delivering.outbox import deliver_due
from monitor.errors import InputError
from monitor.judging.signal_words import WORDS_CACHE, inflected, verb_lemmas
from monitor.judging.signals import Novelty, SignalDetector, baseline_novelty, seed_sentences, signal_label
from monitor.pipeline import run_cycle
from rules.engine import Engine
from storage import Store
from tests.support.httpserver import LocalServer, RecordedRequest

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA=="
FILLER = "Analysts at several firms said the market for artificial intelligence services kept growing quickly. " * 16
REMPLISSAGE = (
    "Selon plusieurs cabinets, le marché des services d'intelligence artificielle a encore grandi cette année. " * 16
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(scope="module")
def detector(engine: Engine) -> SignalDetector:
    return SignalDetector(engine.rules)


# Sentences written for these tests (no corpus page): each speaks of a change of the relationship
# that no facet tracks, in a paraphrase of its own.
SPEAKING = [
    # a strong verb of change, both parties
    "Microsoft and OpenAI amended their agreement so that OpenAI can sell to defence agencies on any cloud.",
    "Microsoft a renégocié avec OpenAI la clause qui encadrait l'accès aux futurs modèles.",
    # a strong noun, one party and a contract term
    "The revised contract contains an exemption for OpenAI's work with national laboratories.",
    "Le contrat prévoit une dérogation pour les travaux d'OpenAI avec les laboratoires publics.",
    # a weak verb with a marker of change
    "Microsoft will now allow OpenAI to hire engineers away from its Azure teams.",
    "L'accord autorise désormais OpenAI à proposer ses modèles aux agences fédérales.",
    "OpenAI is no longer required to share its research papers with Microsoft before publication.",
    "OpenAI n'est plus tenue de reverser une part de ses revenus à Microsoft au-delà de 2030, une clause supprimée.",
]
SILENT = [
    "Azure lets companies build agents on top of OpenAI models.",  # a weak verb, no marker: a description
    "La plateforme Foundry permet aux entreprises de créer des agents avec les modèles d'OpenAI.",
    "Microsoft did not amend its contract with OpenAI this year.",  # negated
    "Microsoft n'a pas renégocié son contrat avec OpenAI.",
    "If Microsoft amended the deal, OpenAI could sell to defence agencies on any cloud.",  # supposed
    "Si Microsoft renégociait l'accord, OpenAI pourrait vendre ses modèles partout.",
    "Will Microsoft now allow OpenAI to use other clouds?",  # a question asserts nothing
    "Microsoft shares now rise as investors cheer the amended OpenAI contract.",  # markets talk
    "The company amended its contract with a chip supplier on Tuesday.",  # no party of the relationship
    "Le groupe a renégocié ses contrats avec ses fournisseurs de puces.",
]


@pytest.mark.parametrize("sentence", SPEAKING, ids=lambda s: s[:40])
def test_a_sentence_speaking_of_a_change_in_the_relationship_is_a_candidate(
    detector: SignalDetector, sentence: str
) -> None:
    candidate = detector.read(sentence)
    assert candidate is not None, sentence
    assert {"microsoft", "openai"} & set(candidate.parties) and candidate.verbs


@pytest.mark.parametrize("sentence", SILENT, ids=lambda s: s[:40])
def test_a_sentence_that_says_no_change_is_no_candidate(detector: SignalDetector, sentence: str) -> None:
    assert detector.read(sentence) is None


def test_a_sentence_a_rule_read_is_no_signal(engine: Engine, detector: SignalDetector) -> None:
    text = "Microsoft has waived its right of first refusal on OpenAI's new capacity, the companies said."
    claims = engine.extract(text, published="2026-01-10").claims
    assert claims and claims[0].facet == "azure.rofr", "the rules read it"
    assert detector.read(text) is not None, "it would be a candidate on its own"
    assert detector.candidates(text, claims=claims) == []


def test_novelty_knows_the_seeds_and_their_paraphrases_not_news() -> None:
    novelty = baseline_novelty()
    seed = next(s for s in seed_sentences() if len(s.split()) > 12)
    words = seed.split()
    reordered = " ".join(words[len(words) // 2 :] + words[: len(words) // 2])
    assert novelty.is_known(seed) and novelty.is_known(reordered)
    assert not novelty.is_known(SPEAKING[0]) and not novelty.is_known(SPEAKING[1])


def test_a_repeat_in_other_words_is_the_same_signal_and_a_new_fact_is_not() -> None:
    novelty = Novelty()
    novelty.add_signal("sig_a", "Microsoft and OpenAI amended their agreement to let OpenAI sell to defence agencies.")
    assert novelty.signal_like("OpenAI may sell to defence agencies after Microsoft and OpenAI amended the agreement.")
    assert novelty.signal_like("Microsoft will now allow OpenAI to hire engineers away from its Azure teams.") is None


def test_the_cached_verb_forms_are_the_rules_lemma_data() -> None:
    cached = json.loads(WORDS_CACHE.read_text(encoding="utf-8"))["forms"]
    assert sorted(cached) == verb_lemmas(), "python -m monitor.judging.signal_words rewrites it"
    from rules.lemmas import forms

    for lemma in ("renegocier", "amend", "autoriser"):
        assert tuple(cached[lemma]) == forms(lemma) == inflected(lemma)


def test_a_label_is_checked_against_the_rules() -> None:
    assert signal_label(facet="azure.rofr", kind="reversed") == {"facet": "azure.rofr", "key": "microsoft",
                                                                "kind": "reversed"}  # fmt: skip
    assert signal_label(facet="openai.compute_provider", key="Fluidstack", kind="new", note="n")["key"] == "fluidstack"
    for bad, match in (({"facet": "azure.nope", "kind": "new"}, "--facet azure.nope: no such facet"),
                       ({"facet": "azure.rofr", "kind": "grew"}, "--kind grew: expected one of"),
                       ({"facet": "openai.compute_provider", "kind": "new"}, "--key: openai.compute_provider takes"),
                       ({"facet": "azure.rofr", "kind": "new", "key": "aws"}, "--key aws: azure.rofr")):  # fmt: skip
        with pytest.raises(InputError, match=match):
            signal_label(**bad)


# -- end to end: a loopback feed, a real SQLite file, a webhook receiver --------------------------------------------


def article(title: str, sentence: str, published: str, filler: str = FILLER) -> str:
    return (f"<item><title>{title}</title><link>{{BASE}}/{abs(hash(title))}.html</link><guid>{title}</guid>"
            f"<pubDate>{published}</pubDate><content:encoded><![CDATA[<p>{filler}</p><p>{sentence}</p>"
            f"<p>{filler}</p>]]></content:encoded></item>")  # fmt: skip


def serve_feed(server: LocalServer, items: list[str], path: str = "/feed.xml") -> str:
    body = ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            "<channel><title>t</title><link>http://x/</link><description>d</description>"
            + "".join(items) + "</channel></rss>").replace("{BASE}", server.base_url)  # fmt: skip
    server.route(path, body.encode(), headers={"Content-Type": "application/rss+xml"})
    return server.url(path)


ITEMS = [
    article("Deal amended", SPEAKING[0], "Mon, 12 Jan 2026 08:00:00 GMT"),
    # the same fact from another source, in other words: one signal, two sources
    article(
        "Defence sales",
        "OpenAI can sell to defence agencies on any cloud after Microsoft and OpenAI amended their agreement.",
        "Tue, 13 Jan 2026 08:00:00 GMT",
    ),  # fmt: skip
    article("Nouvelles règles", SPEAKING[5], "Wed, 14 Jan 2026 08:00:00 GMT", REMPLISSAGE),
    article("Quiet", SILENT[0], "Thu, 15 Jan 2026 08:00:00 GMT"),
]


def run(config: Config, store: Store, engine: Engine, **kwargs: object) -> list[str]:
    report = asyncio.run(run_cycle(config, store, engine, **kwargs))  # type: ignore[arg-type]
    return report.signals


def test_signals_are_stored_once_per_fact_shown_in_the_digest_and_not_alerted_by_default(
    local_server: LocalServer, tmp_path: Path, engine: Engine
) -> None:
    url = serve_feed(local_server, ITEMS)
    received: list[RecordedRequest] = []
    local_server.route_handler("/hook", lambda request: (received.append(request), (204, {}, b""))[1])
    config = Config(feed=[FeedConfig(url=url)], digest=DigestConfig(path=tmp_path / "digest.xml"),
                    webhook=[WebhookConfig(url=local_server.url("/hook"), secret=SECRET)],
                    delivery=DeliveryConfig(retry_initial=0, retry_max=0))  # fmt: skip
    store = Store.open(tmp_path / "monitor.db")
    channels = build_channels(config)
    found = run(config, store, engine, channels=channels)
    signals = store.signals.newest()
    assert sorted(found) == sorted(s.id for s in signals) and len(signals) == 2
    english = next(s for s in signals if s.sentence == SPEAKING[0])
    assert [src["title"] for src in english.sources] == ["Deal amended", "Defence sales"]
    assert english.happened_at == "2026-01-12" and english.severity == "low" and english.status == "open"
    french = next(s for s in signals if s.lang == "fr")
    assert french.sentence == SPEAKING[5]
    assert [s.id for s in signals] == [french.id, english.id], "newest first, by when it happened"

    digest = feedparser.parse((tmp_path / "digest.xml").read_bytes())
    assert [e.id for e in digest.entries if e.tags[0].term == "signal"] == [french.id, english.id]
    assert store.outbox.rows() == [] and not received, "signals go to channels only with [signals] alert = true"
    store.close()


def test_with_alert_on_a_signal_is_delivered_once_signed(local_server: LocalServer, tmp_path: Path,
                                                         engine: Engine) -> None:  # fmt: skip
    url = serve_feed(local_server, ITEMS[:2])
    bodies: list[dict[str, object]] = []

    def hook(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        Webhook(SECRET).verify(request.body, dict(request.headers))  # an independent verifier
        bodies.append(json.loads(request.body))
        return 204, {}, b""

    local_server.route_handler("/hook", hook)
    config = Config(feed=[FeedConfig(url=url)], digest=DigestConfig(path=tmp_path / "digest.xml"),
                    webhook=[WebhookConfig(url=local_server.url("/hook"), secret=SECRET)],
                    delivery=DeliveryConfig(retry_initial=0, retry_max=0),
                    signals=SignalsConfig(alert=True))  # fmt: skip
    store = Store.open(tmp_path / "monitor.db")
    channels = build_channels(config)
    found = run(config, store, engine, channels=channels)
    asyncio.run(deliver_due(store, channels, config.delivery))
    asyncio.run(deliver_due(store, channels, config.delivery))
    assert len(found) == 1
    assert [b["type"] for b in bodies] == ["signal.flagged"]
    assert bodies[0]["signal"]["id"] == found[0] and bodies[0]["signal"]["severity"] == "low"  # type: ignore[index]
    store.close()


def test_what_was_seen_stays_known_across_cycles(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    """A later cycle compares with the stored signals: a repeat attaches, never a second signal."""
    config = Config(feed=[FeedConfig(url=serve_feed(local_server, ITEMS[:1]))],
                    digest=DigestConfig(path=tmp_path / "digest.xml"))  # fmt: skip
    store = Store.open(tmp_path / "monitor.db")
    assert len(run(config, store, engine)) == 1
    later = article("Again", "After Microsoft and OpenAI amended their agreement, OpenAI can sell to defence agencies "
                    "on any cloud.", "Fri, 16 Jan 2026 08:00:00 GMT")  # fmt: skip
    config = Config(feed=[FeedConfig(url=serve_feed(local_server, [later], "/later.xml"))],
                    digest=DigestConfig(path=tmp_path / "digest.xml"))  # fmt: skip
    assert run(config, store, engine) == []
    (signal,) = store.signals.newest()
    assert [s["title"] for s in signal.sources] == ["Deal amended", "Again"]
    store.close()


def test_signals_off_finds_none(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    config = Config(feed=[FeedConfig(url=serve_feed(local_server, ITEMS))],
                    digest=DigestConfig(path=tmp_path / "digest.xml"),
                    signals=SignalsConfig(enabled=False))  # fmt: skip
    store = Store.open(tmp_path / "monitor.db")
    assert run(config, store, engine) == [] and store.signals.newest() == []
    store.close()


def monitor(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=120)


def test_signals_from_the_command_line_listed_dismissed_and_promoted(
    local_server: LocalServer, tmp_path: Path, engine: Engine
) -> None:
    database = tmp_path / "monitor.db"
    config = Config(
        feed=[FeedConfig(url=serve_feed(local_server, ITEMS))], digest=DigestConfig(path=tmp_path / "d.xml")
    )
    store = Store.open(database)
    run(config, store, engine)
    store.close()
    toml = tmp_path / "monitor.toml"
    toml.write_text(f'database = "{database}"\n', encoding="utf-8")
    listed = monitor("signals", "--json", "--config", str(toml))
    assert listed.returncode == 0, listed.stderr
    signals = json.loads(listed.stdout)["signals"]
    assert len(signals) == 2 and all(s["status"] == "open" and s["sources"] for s in signals)
    first, second = signals[0]["id"], signals[1]["id"]

    promoted = monitor("signals", "promote", first, "--facet", "relationship.rivalry", "--kind", "changed",
                       "--note", "a new clause", "--config", str(toml))  # fmt: skip
    assert promoted.stdout.strip() == f"{first}: promoted as relationship.rivalry/microsoft/changed", promoted.stderr
    dismissed = monitor("signals", "dismiss", second, "--note", "noise", "--config", str(toml))
    assert dismissed.stdout.strip() == f"{second}: dismissed"
    text = monitor("signals", "--config", str(toml)).stdout
    assert "promoted as relationship.rivalry/microsoft/changed: a new clause" in text and "dismissed: noise" in text
    only = json.loads(monitor("signals", "--json", "--status", "dismissed", "--config", str(toml)).stdout)
    assert [s["id"] for s in only["signals"]] == [second] and only["signals"][0]["label"] == {"note": "noise"}

    for args, error in (
        (("promote", first, "--facet", "nope", "--kind", "new"), "monitor: error: --facet nope: no such facet"),
        (("dismiss", "sig_missing"), "monitor: error: sig_missing: no such signal (see `monitor signals`)"),
        (("--status", "later"), "monitor: error: --status later: expected one of open, dismissed, promoted"),
    ):
        failed = monitor("signals", *args, "--config", str(toml))
        assert failed.returncode == 1 and failed.stderr.startswith(error) and failed.stderr.count("\n") == 1


def test_the_page_shows_open_and_promoted_signals_escaped_not_dismissed() -> None:
    from monitor.judging.diff import KnownState
    from monitor.serving.page import render_page

    store = Store.memory()
    article, _ = store.add_article(guid=None, url="https://news.example/a", content_hash="a", title="A <b>",
                                   published="2026-01-12", lang="en", text="A.", feed_id=None)  # fmt: skip
    for n, sentence in enumerate(["OpenAI <script>x</script> amended it.", "Noise amended.", "Kept amended."]):
        store.signals.add({"id": f"sig_{n}", "sentence": sentence, "lang": "en", "parties": ["openai"], "terms": [],
                           "verbs": ["amend"], "happened_at": "2026-01-12"}, article_id=article.id)  # fmt: skip
    store.signals.review("sig_1", "dismissed")
    store.signals.review("sig_2", "promoted", label={"facet": "azure.rofr", "key": "microsoft", "kind": "reversed"})
    html = render_page(changes=[], delivery={}, baseline=KnownState.empty(), feeds=[], signals=store.signals.newest())
    assert "OpenAI &lt;script&gt;x&lt;/script&gt; amended it." in html and "<script>x" not in html
    assert "Noise amended." not in html, "a dismissed signal leaves the page"
    assert 'id="signal-sig_2"' in html and "as azure.rofr/microsoft/reversed" in html
    assert '<a href="#signals">2 signal(s)</a>' in html


def test_the_daemon_rewrites_the_digest_when_a_signal_is_triaged(tmp_path: Path, engine: Engine) -> None:
    from monitor.serving.daemon import Daemon, Settings

    store = Store.open(tmp_path / "monitor.db")
    article, _ = store.add_article(guid=None, url="https://news.example/a", content_hash="a", title="A",
                                   published="2026-01-12", lang="en", text="A.", feed_id=None)  # fmt: skip
    store.signals.add({"id": "sig_1", "sentence": SPEAKING[0], "lang": "en", "parties": [], "terms": [],
                       "verbs": [], "happened_at": "2026-01-12"}, article_id=article.id)  # fmt: skip
    config = Config(digest=DigestConfig(path=tmp_path / "digest.xml"))
    daemon = Daemon(None, Settings(config, engine, []), store)

    def signal_items() -> list[str]:
        entries = feedparser.parse((tmp_path / "digest.xml").read_bytes()).entries
        return [e.id for e in entries if e.tags[0].term == "signal"]

    asyncio.run(daemon.write_digest())
    assert signal_items() == ["sig_1"]
    store.signals.review("sig_1", "dismissed")  # as `monitor signals dismiss` does, from another process
    asyncio.run(daemon.write_digest())
    assert signal_items() == [], "a dismissed signal leaves the digest without waiting for a cycle"
    store.close()


def test_check_shows_the_signals_of_a_document_beside_its_claims() -> None:
    text = f"{SPEAKING[5]}\n{SILENT[1]}\n"
    run = subprocess.run([sys.executable, "-m", "monitor", "check", "-", "--json"], input=text, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert [s["sentence"] for s in result["signals"]] == [SPEAKING[5]] and result["changes"] == []
    shown = subprocess.run([sys.executable, "-m", "monitor", "check", "-"], input=text, capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert f"Signal (no rule read it): “{SPEAKING[5]}”" in " ".join(shown.stdout.split())


def test_signals_stay_off_the_quiet_pages_of_the_corpora() -> None:
    """The goal of issue 17, held: at most 0.1 signal per page labelled as flagging nothing."""
    root = Path(__file__).resolve().parents[1]
    corpora = [str(root / "tests" / "corpus" / name) for name in ("dev", "dev2", "heldout")]
    run = subprocess.run([sys.executable, str(root / "tools" / "signal_figures.py"), *corpora, "--json"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert set(figures) == {"dev", "dev2", "dev2:tune", "dev2:check", "heldout"}
    for name, part in figures.items():
        assert part["quiet_articles"] > 0 and part["signals_per_quiet_article"] <= 0.1, (name, part)
    assert figures["dev2"]["signals"] > 0, "and signals are found at all"
