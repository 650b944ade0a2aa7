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

Hostile documents (`tests/hostile/`), handled before feedparser sees them:

- every DOCTYPE is removed, internal subset included: no entity is ever
  declared, so none expands (billion laughs, a 100 KB entity referenced 5,000
  times) and none names a file or URL to read (XXE). feedparser's own filter
  misses a subset written on one line, and its loose parser, which takes over
  when expat gives up, expands whatever "safe" entities it kept;
- UTF-16 and UTF-32 become UTF-8 (so that filter sees the markup), and valid
  non-ASCII UTF-8 wins over a declaration that says otherwise;
- character references to what XML forbids (NUL, surrogates, past U+10FFFF)
  become U+FFFD: one of them made the loose parser crash on the whole feed;
- at most MAX_FEED_TAGS tags are parsed and MAX_ENTRIES entries kept, which
  bounds the time a 5 MB feed of empty elements or 10,000 items costs;
- dates outside EARLIEST_DATE .. tomorrow are dropped: a feed dated 9999 would
  otherwise date what is known in the future and turn every later report into
  history;
- titles and summaries are one line of plain text, whatever their declared
  type: tags, control and bidi-override characters removed, cut at
  MAX_TITLE_CHARS; over-long GUIDs are hashed, over-long links dropped.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from monitor.errors import ExtractError

__all__ = [
    "FULL_TEXT_MIN_WORDS",
    "UNPRINTABLE",
    "FeedEntry",
    "ParsedFeed",
    "carries_full_text",
    "html_to_text",
    "parse_feed",
    "plain_title",
    "plausible_date",
]

FULL_TEXT_MIN_WORDS = 150
MAX_ENTRIES = 500  # entries kept from one document (feed order: the newest, usually)
MAX_FEED_TAGS = 50_000  # "<" parsed from one document; feedparser takes ~50 µs for each
MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 2000
MAX_GUID_CHARS = 500  # a longer GUID is stored as its SHA-256
MAX_LINK_CHARS = 4096  # a longer link is no link
EARLIEST_DATE = "1995-01-01"  # before the web had news feeds (htmldate's floor too)
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
_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(rb"<!entity\b", re.IGNORECASE)
_CHAR_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_XML_DECLARATION_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])""")
_TAG_START = re.compile(rb"<")
_ROOT = re.compile(rb"<([A-Za-z_][\w:.-]*)")  # the first element: the root, once the prolog is gone
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_TTL = re.compile(r"\s*([0-9]{1,9})\s*")
# Tag-like text: "<b>", "</p>", "<!--", "<?php" — not "AT&T < Verizon" or "3 < 4".
_TAG_LIKE = re.compile(r"<[A-Za-z/!?]")
_TAG_LIKE_RUN = re.compile(r"<[A-Za-z/!?][^<>]*>?")
# C0/C1 controls but tab and newline, and the bidi embeddings, overrides and isolates: made spaces
# in every stored title and text.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)  # slots: a first cycle over a thousand feeds holds tens of thousands
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


def parse_feed(data: bytes, *, url: str, cut: bool = False) -> ParsedFeed:
    """Parse feed bytes fetched from url (relative links resolve against it); raise ExtractError if not a feed.
    `cut`: `data` is the head of a longer document (the fetch limit): it is closed after its last whole entry."""
    if not isinstance(data, bytes | bytearray | memoryview):
        # feedparser would take a str as a URL to fetch or a file to open.
        raise TypeError(f"parse_feed() needs the fetched bytes, not {type(data).__name__}")
    original = bytes(data)
    document, utf8 = _as_utf8(original)
    document, tags_cut = _bounded(_without_doctype(_safe_char_references(document)), cut=cut)
    content_type = "application/xml; charset=utf-8" if utf8 else "application/xml"
    import feedparser  # here: a cycle whose feeds all answer 304 parses none, and feedparser takes 0.03 s to import

    try:
        parsed = feedparser.parse(document, response_headers={"content-location": url, "content-type": content_type})
    except Exception as exc:  # noqa: BLE001 - feedparser on hostile bytes: whatever it raises, the feed is unreadable
        raise ExtractError(_one_line(f"{url}: could not parse the feed ({_describe(exc)})")) from None
    exception = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if cut and not parsed.entries:  # a bomb, or a document with nothing whole before the limit
        raise ExtractError(f"{url}: response larger than {len(original)} bytes, with no whole entry before the limit")
    if not parsed.entries and not parsed.get("version"):
        raise ExtractError(_one_line(f"{url}: not a feed ({_not_a_feed_reason(original, exception)})"))
    feed = parsed.feed
    entries = [entry for entry in (_entry(item, base=url) for item in parsed.entries) if not _is_empty(entry)]
    warnings = [_describe(exception)] if exception is not None else []
    if cut:
        warnings.append(f"longer than the fetch limit: only its first {len(original)} bytes read")
    elif tags_cut:
        warnings.append(f"only the first {MAX_FEED_TAGS} tags read")
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"{len(entries)} entries, only the first {MAX_ENTRIES} kept")
        entries = entries[:MAX_ENTRIES]
    return ParsedFeed(
        title=_one_line_text(feed, "title"),
        entries=entries,
        bozo=bool(parsed.get("bozo")) or cut or tags_cut,
        warning="; ".join(warnings) or None,
        ttl_minutes=_ttl(dict.get(feed, "ttl")),
    )


def plain_title(text: str, *, limit: int = MAX_TITLE_CHARS) -> str:
    """A title as one line of plain text: markup dropped, controls and bidi overrides removed, cut at `limit`.

    Text without anything tag-like keeps its "<" and "&" ("AT&T < Verizon").

    >>> plain_title("Deal <script>alert(1)</script>\\r\\n<b>signed</b>")
    'Deal signed'
    """
    if _TAG_LIKE.search(text):
        text = _TAG_LIKE_RUN.sub(" ", html_to_text(text))  # what the parser left as text: "<!DOCTYPE" cut short
    text = " ".join(UNPRINTABLE.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plausible_date(iso: str | None, *, today: dt.date | None = None) -> str | None:
    """`iso` (an ISO 8601 date or datetime) if it falls between EARLIEST_DATE and tomorrow, else None."""
    if not iso:
        return None
    latest = ((today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)).isoformat()
    return iso if EARLIEST_DATE <= iso[:10] <= latest else None


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
    return FeedEntry(
        guid=_guid(dict.get(entry, "id")),
        link=_link(dict.get(entry, "link"), base=base),
        title=_one_line_text(entry, "title"),
        published=_published(entry),
        full_text=content if _is_full_text(content) else None,
        summary=_one_line_text(entry, "summary", limit=MAX_SUMMARY_CHARS),
    )


def _guid(guid: object) -> str | None:
    if not isinstance(guid, str):
        return None
    guid = " ".join(UNPRINTABLE.sub(" ", guid).split())
    if len(guid) > MAX_GUID_CHARS:  # hashed, not cut: two long GUIDs that share a prefix stay two
        return "sha256:" + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
    return guid or None


def _is_empty(entry: FeedEntry) -> bool:
    """An item with nothing in it, as a truncated feed can leave at its end."""
    return not (entry.guid or entry.link or entry.title or entry.summary or entry.full_text)


def _one_line_text(item: dict[str, Any], key: str, *, limit: int = MAX_TITLE_CHARS) -> str:
    """item[key] as one line of plain text; feedparser says in item[key + "_detail"] whether it is HTML.

    A value said to be plain text that holds tags anyway (mislabelled HTML, or
    a script meant for whoever shows it) loses them too.
    """
    value = dict.get(item, key) or ""
    if not isinstance(value, str):
        return ""
    detail = dict.get(item, f"{key}_detail") or {}
    if detail.get("type") not in _PLAIN_TYPES:
        value = html_to_text(value)
    return plain_title(value, limit=limit)  # also removes CR and LF


def _link(link: object, *, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip() or len(link) > MAX_LINK_CHARS:
        return None
    if UNPRINTABLE.search(link.strip()):  # "a\r\nHost: evil" is no URL
        return None
    try:
        absolute = urljoin(base, link.strip())  # feedparser has resolved most already; this covers the rest
        return absolute if urlsplit(absolute).scheme in ("http", "https") else None
    except ValueError:  # an unbalanced "[" in the host
        return None


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
        published = plausible_date(_iso_utc(raw, parsed)) if isinstance(raw, str) and raw else None
        if published:
            return published
    return None


def _iso_utc(raw: str, parsed: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as ISO 8601, unless the date written does not exist."""
    if parsed is None or not _exists(raw):
        return None
    try:
        return dt.datetime(*parsed[:6], tzinfo=dt.UTC).isoformat()
    except (ValueError, TypeError, OverflowError):  # year 0 or 10000 after the shift to UTC
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


# --- the document, before feedparser -----------------------------------------------------------------


def _as_utf8(data: bytes) -> tuple[bytes, bool]:
    """The document, and whether it is known to be UTF-8 (so the declaration must not be believed).

    UTF-16 and UTF-32 (with a BOM, or recognised by how "<?" is spelled) are
    transcoded, their declaration made to say so; a document that is valid
    UTF-8 with non-ASCII bytes is UTF-8 whatever it declares (a server that
    re-encodes its feed rarely fixes the declaration, while valid multi-byte
    UTF-8 is almost never an accident in another charset).
    """
    encoding = _utf16_or_32(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            return data, False
        converted = text.lstrip("\ufeff").encode("utf-8")
        return _XML_DECLARATION_ENCODING.sub(rb"\1utf-8\3", converted, count=1), True
    if data.isascii():
        return data, False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data, False
    return data, True


def _utf16_or_32(data: bytes) -> str | None:
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return name
    for start, name in (
        (b"<\0\0\0?\0\0\0", "utf-32-le"),
        (b"\0\0\0<\0\0\0?", "utf-32-be"),
        (b"<\0?\0", "utf-16-le"),
        (b"\0<\0?", "utf-16-be"),
        (b"<\0", "utf-16-le"),
        (b"\0<", "utf-16-be"),
    ):
        if data.startswith(start):
            return name
    return None


def _safe_char_references(data: bytes) -> bytes:
    """Character references to what XML forbids become U+FFFD (feedparser's loose parser crashes on some)."""

    def fix(match: re.Match[bytes]) -> bytes:
        hexadecimal, decimal = match.groups()
        digits = hexadecimal or decimal
        if len(digits) > 8:
            return b"&#xFFFD;"
        code = int(digits, 16 if hexadecimal else 10)
        allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
        return match.group(0) if allowed or 0x10000 <= code <= 0x10FFFF else b"&#xFFFD;"

    return _CHAR_REFERENCE.sub(fix, data) if b"&#" in data else data


def _without_doctype(data: bytes) -> bytes:
    """The document without the DOCTYPEs (internal subsets included) and ENTITY declarations of its prolog.

    Only the prolog, before the first element, can declare anything: expat
    refuses a DOCTYPE further on, and feedparser's loose parser takes entities
    from the prolog alone. The same words inside the content (an article about
    HTML, in CDATA) are left alone.
    """
    while True:
        root = _FIRST_ELEMENT.search(data)
        limit = root.start() if root else len(data)
        found = _DOCTYPE.search(data, 0, limit) or _ENTITY_DECLARATION.search(data, 0, limit)
        if found is None:
            return data
        data = data[: found.start()] + data[_doctype_end(data, found.end()) :]


def _doctype_end(data: bytes, start: int) -> int:
    """Where a declaration opened before `start` ends: its closing ">" outside quotes and brackets.

    One that never closes ends where an element starts ("<" and a letter), as
    a subset cannot hold elements; failing that, at the end of the document.
    """
    depth = 0
    quote: int | None = None
    index = start
    size = len(data)
    while index < size:
        byte = data[index]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in b"\"'":
            quote = byte
        elif byte == ord("["):
            depth += 1
        elif byte == ord("]"):
            depth = max(0, depth - 1)
        elif byte == ord(">") and depth == 0:
            return index + 1
        elif byte == ord("<") and index + 1 < size and chr(data[index + 1]).isalpha():
            return index
        index += 1
    return size


def _bounded(data: bytes, *, cut: bool = False) -> tuple[bytes, bool]:
    """At most MAX_FEED_TAGS tags of the document (all of a document already `cut`), and whether it was cut.

    The cut falls after the last whole item or entry, and the document is
    closed there, so that expat reads it (a document cut anywhere else fails
    at its end and is parsed a second time, three times slower, by feedparser's
    loose parser).
    """
    if data.count(b"<") <= MAX_FEED_TAGS and not cut:
        return data, False
    end = len(data)
    for count, match in enumerate(_TAG_START.finditer(data)):
        if count == MAX_FEED_TAGS:
            end = match.start()
            break
    head = data[:end]
    last = max(head.lower().rfind(b"</item>"), head.lower().rfind(b"</entry>"))
    root = _ROOT.search(data)
    if last < 0 or root is None:
        return head, True
    closing = b"</channel></rss>" if root.group(1).lower() == b"rss" else b"</" + root.group(1) + b">"
    return head[: head.index(b">", last) + 1] + closing, True


# --- feed-level fields --------------------------------------------------------------------------------


def _ttl(value: object) -> int | None:
    """Minutes, from ASCII digits only: "²" passes str.isdigit() and int() refuses it; 5,000 digits too."""
    match = _TTL.fullmatch(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


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
    """Each line's whitespace collapsed; blank lines, control and bidi-override characters dropped."""
    lines = (" ".join(line.split()) for line in UNPRINTABLE.sub(" ", text).splitlines())
    return "\n".join(line for line in lines if line)
