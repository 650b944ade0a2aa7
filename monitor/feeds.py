# SPDX-License-Identifier: MIT
"""Parse one RSS or Atom document (bytes already fetched) into plain-text entries.

    feed = parse_feed(result.content, url=result.final_url)
    for entry in feed.entries:
        if entry.full_text: ...        # the feed carries the article itself: no page to fetch
        elif entry.link: ...           # fetch the article page
        # neither: nothing to read; the caller skips it

Entries come back in feed order, none merged: deduplication is the pipeline's
job. Only items with nothing at all in them (as a truncated feed leaves) are
left out. A feed with recoverable errors (an unescaped "&", a truncated end)
still yields the entries feedparser could read, with `bozo` set and the reason
in `warning`; a document with neither a feed element nor any entry (an HTML
page, JSON, nothing) raises `ExtractError`.

feedparser traps handled here:

- it takes a `str` for a URL to fetch or a path to open, so only bytes are accepted;
- without a Content-Type it flags every document bozo ("no Content-type
  specified"), so one is supplied: application/xml, which lets the XML
  declaration name the encoding (text/xml would mean us-ascii, RFC 3023);
- reading `updated`/`updated_parsed` through `.get` warns (DeprecationWarning)
  when only `published` exists, so raw dict access is used;
- ISO 8601 dates that do not exist ("2025-13-45") are rolled over into real
  ones, so such dates are checked against the calendar first;
- a `<guid>` without `<link>` is copied into `link` even when it is a URN, so
  only http(s) links are kept.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from monitor.errors import ExtractError

__all__ = ["FULL_TEXT_MIN_WORDS", "FeedEntry", "ParsedFeed", "carries_full_text", "html_to_text", "parse_feed"]

FULL_TEXT_MIN_WORDS = 150
# How teasers end: an ellipsis, or a link to the rest ("Read more »", "Continue reading →").
_TRUNCATED_END = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|read more|lire la suite|continue reading)[\s\W]*$", re.IGNORECASE
)
_READ_MORE_LINE = re.compile(r"^\W*(?:read more|lire la suite|continue reading)\b", re.IGNORECASE)
_READ_MORE_LINE_WORDS = 15
_WORD = re.compile(r"\w+")
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?")
_HTML_DOCUMENT = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_PLAIN_TYPES = frozenset({"text/plain"})


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as plain text."""

    guid: str | None  # the entry's id; None when the item has no <guid>/<id>
    link: str | None  # absolute http(s) URL of the article
    title: str  # one line of plain text
    published: str | None  # ISO 8601 in UTC, from published (else updated); None if missing or invalid
    full_text: str | None  # the whole article, paragraphs on separate lines, when the feed carries it
    summary: str  # plain text, one line; may be empty


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and entries, and whether feedparser had to recover from errors to read them."""

    title: str
    entries: list[FeedEntry]
    bozo: bool  # feedparser met recoverable errors
    warning: str | None  # one line describing them
    ttl_minutes: int | None  # RSS <ttl>: how long the feed may be cached


def parse_feed(data: bytes, *, url: str) -> ParsedFeed:
    """Parse feed bytes fetched from url (relative links resolve against it); raise ExtractError if not a feed."""
    if not isinstance(data, bytes | bytearray | memoryview):
        # feedparser would take a str as a URL to fetch or a file to open.
        raise TypeError(f"parse_feed() needs the fetched bytes, not {type(data).__name__}")
    parsed = feedparser.parse(
        bytes(data), response_headers={"content-location": url, "content-type": "application/xml"}
    )
    exception = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries and not parsed.get("version"):
        raise ExtractError(_one_line(f"{url}: not a feed ({_not_a_feed_reason(bytes(data), exception)})"))
    feed = parsed.feed
    return ParsedFeed(
        title=_one_line_text(feed, "title"),
        entries=[entry for entry in (_entry(item, base=url) for item in parsed.entries) if not _is_empty(entry)],
        bozo=bool(parsed.get("bozo")),
        warning=_describe(exception) if exception is not None else None,
        ttl_minutes=_ttl(dict.get(feed, "ttl")),
    )


def carries_full_text(entry: dict[str, Any]) -> bool:
    """True when a feedparser entry's content (content:encoded, Atom content) is the whole article.

    It is when its text has at least FULL_TEXT_MIN_WORDS words and does not end
    like a teaser ("…", "[…]", "...", "Read more", "Lire la suite", "Continue reading").
    """
    return _is_full_text(_content_text(entry))


# --- entries ------------------------------------------------------------------------------------------


def _entry(entry: dict[str, Any], *, base: str) -> FeedEntry:
    # dict.get, not entry.get: FeedParserDict.get("updated…") warns, and its aliases are not wanted here.
    content = _content_text(entry)
    guid = dict.get(entry, "id")
    return FeedEntry(
        guid=(guid.strip() or None) if isinstance(guid, str) else None,
        link=_link(dict.get(entry, "link"), base=base),
        title=_one_line_text(entry, "title"),
        published=_published(entry),
        full_text=content if _is_full_text(content) else None,
        summary=_one_line_text(entry, "summary"),
    )


def _is_empty(entry: FeedEntry) -> bool:
    """An item with nothing in it, as a truncated feed can leave at its end."""
    return not (entry.guid or entry.link or entry.title or entry.summary or entry.full_text)


def _one_line_text(item: dict[str, Any], key: str) -> str:
    """item[key] as one line of plain text; feedparser says in item[key + "_detail"] whether it is HTML."""
    value = dict.get(item, key) or ""
    detail = dict.get(item, f"{key}_detail") or {}
    if detail.get("type") not in _PLAIN_TYPES:
        value = html_to_text(value)
    return " ".join(value.split())  # also removes CR and LF


def _link(link: object, *, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    absolute = urljoin(base, link.strip())  # feedparser has resolved most already; this covers the rest
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _content_text(entry: dict[str, Any]) -> str:
    """The longest of the entry's content parts, as plain text with one paragraph per line."""
    texts = []
    for part in dict.get(entry, "content") or []:
        value = part.get("value") or ""
        texts.append(_lines(value) if part.get("type") in _PLAIN_TYPES else html_to_text(value))
    return max(texts, key=len, default="")


def _is_full_text(text: str) -> bool:
    if len(_WORD.findall(text)) < FULL_TEXT_MIN_WORDS or _TRUNCATED_END.search(text):
        return False
    last_line = text.rsplit("\n", 1)[-1]
    return not (_READ_MORE_LINE.match(last_line) and len(_WORD.findall(last_line)) <= _READ_MORE_LINE_WORDS)


def _published(entry: dict[str, Any]) -> str | None:
    for raw_key, parsed_key in (("published", "published_parsed"), ("updated", "updated_parsed")):
        raw = dict.get(entry, raw_key)
        parsed = dict.get(entry, parsed_key)
        published = _iso_utc(raw, parsed) if raw else None
        if published:
            return published
    return None


def _iso_utc(raw: str, parsed: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601, unless the date written does not exist."""
    if parsed is None or not _exists(raw):
        return None
    try:
        return dt.datetime(*parsed[:6], tzinfo=dt.UTC).isoformat()
    except ValueError:  # year 0 or 10000 after the shift to UTC
        return None


def _exists(raw: str) -> bool:
    """False for an ISO date feedparser would roll over ("2025-02-30" into March); RFC 822 ones it checks."""
    match = _ISO_DATE.match(raw)
    if not match:
        return True
    year, month, day, hour, minute, second = (int(group) if group else 0 for group in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return hour < 24 and minute < 60 and second <= 60


# --- feed-level fields --------------------------------------------------------------------------------


def _ttl(value: object) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _not_a_feed_reason(data: bytes, exception: BaseException | None) -> str:
    if not data.strip():
        return "empty document"
    if _HTML_DOCUMENT.search(data[:2048]):
        return "an HTML page, not RSS or Atom"
    if exception is not None:
        return _describe(exception)
    return "no RSS, RDF or Atom element"


def _describe(exception: BaseException) -> str:
    message = exception.getMessage() if hasattr(exception, "getMessage") else str(exception)
    return _one_line(f"{type(exception).__name__}: {message}" if message else type(exception).__name__)


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


# --- HTML to text -------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
_SPACE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    """Text with a line break at each block element; other whitespace counts as one space, as in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self._pre += tag == "pre"
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._pre = max(0, self._pre - (tag == "pre"))
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data if self._pre else _SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one block (paragraph) per line.

    >>> html_to_text("<p>Microsoft &amp; <b>OpenAI</b>\\n sign</p><p>a deal</p>")
    'Microsoft & OpenAI sign\\na deal'
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _lines("".join(collector.parts))


def _lines(text: str) -> str:
    """Each line's whitespace collapsed; blank lines dropped."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
