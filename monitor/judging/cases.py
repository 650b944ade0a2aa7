# SPDX-License-Identifier: MIT
"""What analysts decided, written as labelled cases for the evaluation corpora (`monitor changes export-cases`).

The format is that of `../shared/corpus/build.py` (a `cases.txt`): one case per
article that carries a reviewed change or a triaged signal, its text as the
body, so that `build.py` makes a corpus of it and `score.py` scores the rules
on it — and a rejection becomes a regression test:

- `expect`: the changes an analyst accepted, and the labels of promoted signals
  (what the rules must flag, or should have);
- `accept`: the changes nobody reviewed yet (fine to flag, not required);
- a rejected change is in neither: flagging it again is a false alarm. The
  note names it with the analyst's reason, and names dismissed signals.

A case is measured against the seed baseline alone, as every corpus case is;
a change flagged against a later known state may read differently there (a
`changed` that is `new` against the seeds): the note says when it was flagged.

    text = export_cases(store)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage import Article, Store, StoredChange, StoredSignal


@dataclass
class Case:
    """One article and what analysts said about it."""

    article: Article
    expect: list[str] = field(default_factory=list)  # facet/key/kind
    accept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "review-" + hashlib.sha256((self.article.url or self.article.content_hash).encode()).hexdigest()[:10]


def export_cases(store: Store) -> str:
    """The reviewed changes and triaged signals of `store` as a cases file ('' when there are none)."""
    cases: dict[int, Case] = {}
    changes = store.changes()
    reviewed_articles = set()
    for change in changes:
        if change.review is not None:
            article = _first_article(store, change.sources)
            if article is not None:
                _add_change(cases.setdefault(article.id, Case(article)), change)
                reviewed_articles.add(article.id)
    for signal in store.signals.newest():
        if signal.status != "open":
            article = _first_article(store, signal.sources)
            if article is not None:
                _add_signal(cases.setdefault(article.id, Case(article)), signal)
    for change in changes:  # what nobody judged, in an article that is a case: neither required nor wrong
        if change.review is None:
            article = _first_article(store, change.sources)
            if article is not None and article.id in cases:
                cases[article.id].accept.append(_triple(change.facet, change.key, change.kind))
    ordered = sorted(cases.values(), key=lambda c: (c.article.published or "", c.id))
    return "\n".join(format_case(case) for case in ordered)


def _add_change(case: Case, change: StoredChange) -> None:
    triple = _triple(change.facet, change.key, change.kind)
    if change.review == "accepted":
        case.expect.append(triple)
        case.notes.append(f"{triple} accepted{_why(change.review_note)}")
    else:
        case.notes.append(f"{triple} rejected (must not be flagged){_why(change.review_note)}")
    case.notes[-1] += f", flagged {change.first_seen[:10]} against the state of then"


def _add_signal(case: Case, signal: StoredSignal) -> None:
    label = signal.label or {}
    quoted = _one_line(signal.sentence)[:120]
    if signal.status == "promoted" and label.get("facet"):
        triple = _triple(label["facet"], label.get("key", ""), label.get("kind", ""))
        case.expect.append(triple)
        case.notes.append(f"signal promoted to {triple} (no rule read it: “{quoted}”){_why(label.get('note'))}")
    else:
        case.notes.append(f"signal dismissed (“{quoted}”){_why(label.get('note'))}")


def format_case(case: Case) -> str:
    """One case in build.py's format: a header line, fields, `---`, the paragraphs."""
    article = case.article
    header = {
        "id": case.id,
        "lang": article.lang if article.lang in ("en", "fr") else "en",
        "published": (article.published or article.fetched_at)[:10],
        "url": article.url or f"urn:sha256:{article.content_hash}",
        "template": "news",
    }
    head = "=== " + " | ".join(f"{k}: {_field(v).replace(' | ', ' ')}" for k, v in header.items())
    fields = [
        f"title: {_field(article.title) or 'Untitled'}",
        f"expect: {'; '.join(_unique(case.expect))}",
        f"accept: {'; '.join(t for t in _unique(case.accept) if t not in case.expect)}",
        f"note: {_field('; '.join(case.notes))}",
    ]
    paragraphs = [_paragraph(line) for line in article.text.splitlines()]
    body = "\n\n".join(p for p in paragraphs if p)
    return f"{head}\n" + "\n".join(line.rstrip() for line in fields) + f"\n---\n{body}\n"


def _first_article(store: Store, sources: list[dict[str, object]]) -> Article | None:
    for source in sources:
        url = source.get("url")
        if isinstance(url, str) and url:
            found = store.find_article(url=url)
            if found is not None:
                return found
    return None


def _triple(facet: str, key: str, kind: str) -> str:
    return "/".join(_field(part).replace("/", "-").replace(";", ",") for part in (facet, key, kind))


def _why(note: str | None) -> str:
    return f": {note}" if note else ""


_FENCE = re.compile(r"^(?:=+\s*|-{3,}\s*)")


def _paragraph(line: str) -> str:
    """A paragraph that cannot end the fields (`---`) or start a case (`=== `)."""
    return _FENCE.sub("", _one_line(line))


def _field(value: str) -> str:
    return _one_line(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
