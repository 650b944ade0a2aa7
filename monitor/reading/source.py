# SPDX-License-Identifier: MIT
"""Read one article, from a local file, stdin or an http(s) URL, into a `Document`.

`monitor check SOURCE` must accept whatever the user points it at and either
return the article's text or fail with one line that names SOURCE. URLs are
fetched with `monitor.collecting.fetch.Fetcher` (httpx), never with `trafilatura.fetch_url`,
so that redirects, timeouts, the size limit and the User-Agent are under our
control and written once; trafilatura only ever sees an already decoded string.
`read_source` runs its own event loop, so call it from synchronous code only.

    doc = read_source("https://example.com/news/1")
    doc = read_source("-", stdin=io.BytesIO(b"Microsoft and OpenAI ..."))

Bytes become text in this order: a BOM wins; then strict UTF-8 (valid non-ASCII
UTF-8 is almost never an accident, while declared charsets often are wrong);
then the charset declared in the Content-Type or a `<meta>` tag; then cp1252.

What is not an article is refused by its bytes (binary data) or its declared
type (JSON, scripts, style sheets, images, archives…). HTML is extracted from
at most MAX_HTML_TAGS tags: trafilatura's time grows faster than linearly with
the number of elements (100,000 empty paragraphs took 30 s), while an article
page has a few thousand.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
import sys
import typing
from dataclasses import dataclass
from pathlib import Path

import httpx
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document as TrafilaturaDocument

from monitor.collecting.fetch import Fetcher, FetchOptions, FetchResult
from monitor.errors import InputError

__all__ = ["Document", "FetchOptions", "document_from_bytes", "read_source"]

logger = logging.getLogger(__name__)

_URL_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_MARKERS = re.compile(r"<!doctype html|<html|<head|<body|<article|<p[\s>]", re.IGNORECASE)
_DOCUMENT_MARKERS = re.compile(r"<!doctype|<html|<head|<body|<title", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_ACCEPT = "text/html,application/xhtml+xml,text/*;q=0.9"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_START_TAG = re.compile(r"<[A-Za-z]")
MAX_HTML_TAGS = 20_000
# Declared types that are never an article, whatever their bytes look like.
_NOT_ARTICLE = re.compile(
    r"^(?:(?:image|audio|video|font|model)/.*"
    r"|application/(?:json|.*\+json|javascript|x-javascript|ecmascript|wasm|pdf|zip|gzip|x-gzip|x-tar|x-bzip2"
    r"|x-7z-compressed|x-rar-compressed|msword|vnd\..*)"
    r"|text/(?:javascript|ecmascript|css|csv|calendar|vcard))$"
)
_MAGIC = {
    b"%PDF-": "PDF",
    b"\x89PNG\r\n\x1a\n": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"PK\x03\x04": "ZIP archive",
    b"PK\x05\x06": "ZIP archive",
    b"\x1f\x8b": "gzip data",
}
# Control bytes that never occur in text; tab, newlines and form feed do.
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13} | {127}
_SNIFF_BYTES = 4096
_BINARY_SAMPLE = 8192
# WHATWG: these labels mean windows-1252 on the web, which adds ’ “ ” – … at 0x80-0x9F.
_WEB_LATIN1 = {"ascii", "iso8859-1"}
# Dates from markup and URL only: a date in the running text is not the publication date.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


@dataclass(frozen=True)
class Document:
    """One article: its text, paragraphs separated by newlines, and what the page says about it."""

    source: str  # as the user gave it: a path, "-", or a URL
    text: str
    title: str = ""
    published: str | None = None  # YYYY-MM-DD from the page's metadata
    url: str | None = None  # final URL after redirects, else the page's canonical URL


def read_source(
    source: str,
    *,
    stdin: typing.BinaryIO | None = None,
    options: FetchOptions = FetchOptions(),  # noqa: B008 - frozen, so sharing the default is safe
    transport: httpx.AsyncBaseTransport | httpx.BaseTransport | None = None,
) -> Document:
    """Read SOURCE ("-" for stdin, an http(s) URL, or a file path); raise `InputError` if it cannot be."""
    if source == "-":
        data = _read_limited(stdin or sys.stdin.buffer, label="<stdin>", max_bytes=options.max_bytes)
        return document_from_bytes(data, source=source)
    if _URL_PREFIX.match(source):
        data, final_url, content_type = _fetch(source, options=options, transport=transport)
        return document_from_bytes(data, source=source, url=final_url, content_type=content_type)
    return document_from_bytes(_read_file(source, max_bytes=options.max_bytes), source=source)


def document_from_bytes(
    data: bytes, *, source: str, url: str | None = None, content_type: str | None = None
) -> Document:
    """Turn raw bytes into a Document: refuse binary or empty input, extract HTML, keep plain text."""
    label = "<stdin>" if source == "-" else source
    bom = _bom_encoding(data)
    if bom != "utf-16" and _is_binary(data):  # UTF-16 text is full of NUL bytes
        kind = _magic_kind(data)
        raise _error(label, f"binary data ({kind + ', ' if kind else ''}not HTML or text)")
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if _NOT_ARTICLE.match(kind):
        raise _error(label, f"not an article (Content-Type {kind[:60]})")
    text = _decode(data, bom=bom, content_type=content_type)
    if not text.strip():
        raise _error(label, "empty input")
    if _is_html(text, content_type):
        return _from_html(text, source=source, label=label, url=url)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return Document(source=source, text=text, url=url)


def _read_file(path: str, *, max_bytes: int) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            return _read_limited(handle, label=path, max_bytes=max_bytes)
    except FileNotFoundError:
        raise _error(path, "no such file") from None
    except IsADirectoryError:
        raise _error(path, "is a directory, not a file") from None
    except PermissionError:
        raise _error(path, "permission denied") from None
    except OSError as exc:
        raise _error(path, f"cannot read ({exc.strerror or exc})") from None


def _read_limited(stream: typing.BinaryIO, *, label: str, max_bytes: int) -> bytes:
    # Read one byte past the limit: enough to know it was exceeded without reading it all.
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _error(label, f"input larger than {max_bytes} bytes")
    return data


def _fetch(
    url: str, *, options: FetchOptions, transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
) -> tuple[bytes, str, str | None]:
    """GET url with the shared `Fetcher` (redirects, size limit, deadline); its error becomes an InputError."""

    async def fetch() -> FetchResult:
        async with Fetcher(options, transport=_async_transport(transport)) as fetcher:
            return await fetcher.get(url, accept=_ACCEPT)

    result = asyncio.run(fetch())
    if result.content is None:  # the Fetcher's error is already one line naming the URL
        raise InputError(result.error or f"{url}: HTTP {result.status}")
    return result.content, result.final_url, result.content_type


def _async_transport(
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
) -> httpx.AsyncBaseTransport | None:
    """Accept a sync transport too (httpx.MockTransport is both), run in a worker thread."""
    if transport is None or isinstance(transport, httpx.AsyncBaseTransport):
        return transport
    return _ThreadedTransport(transport)


class _ThreadedTransport(httpx.AsyncBaseTransport):
    """Adapts a sync transport for `Fetcher`; the body is read whole, so it is for tests and small pages."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await asyncio.to_thread(self._handle, request)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        response = self._transport.handle_request(request)
        try:
            # The raw, still encoded bytes (the Fetcher's response decodes them); not iter_raw(),
            # which refuses a response built with content=, as test transports build them.
            raw = b"".join(typing.cast(typing.Iterable[bytes], response.stream))
        finally:
            response.close()
        # As a stream, not content=: the Fetcher then decodes it within its size limit, as on the wire.
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(raw), extensions=response.extensions
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(self._transport.close)


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _magic_kind(data: bytes) -> str | None:
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)


def _is_binary(data: bytes) -> bool:
    sample = data[:_BINARY_SAMPLE]
    if not sample:
        return False
    if _magic_kind(sample) or b"\0" in sample:
        return True
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    return controls / len(sample) > 0.1


def _decode(data: bytes, *, bom: str | None, content_type: str | None) -> str:
    if bom:
        return data.decode(bom, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data, content_type)
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            logger.debug("declared charset %s does not fit the bytes; using cp1252", declared)
    return data.decode("cp1252", errors="replace")


def _declared_charset(data: bytes, content_type: str | None) -> str | None:
    """The Python codec for the charset in the Content-Type, else in a <meta> tag; None if unknown."""
    match = _CHARSET_PARAM.search(content_type or "")
    label = match.group(1) if match else None
    if label is None:
        meta = _META_CHARSET.search(data[:_SNIFF_BYTES])
        label = meta.group(1).decode("ascii") if meta else None
    if label is None:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        logger.debug("unknown charset label %r", label)
        return None
    return "cp1252" if name in _WEB_LATIN1 else name


def _is_html(text: str, content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    return _HTML_MARKERS.search(text[:_SNIFF_BYTES]) is not None


def _from_html(html: str, *, source: str, label: str, url: str | None) -> Document:
    if not _DOCUMENT_MARKERS.search(html[:_SNIFF_BYTES]):
        # trafilatura refuses (and logs an error for) a lone fragment such as "<p>…</p>".
        html = f"<html><body>{html}</body></html>"
    tree = trafilatura.load_html(_bounded_html(html))
    extracted = _extract(tree, url=url) if tree is not None else None
    text = _paragraphs(extracted.text or "") if extracted else ""
    if extracted is None or not text or _only_link_labels(text, tree):
        raise _error(label, "no article text found in the HTML")
    published = extracted.date if extracted.date and _ISO_DATE.fullmatch(extracted.date) else None
    return Document(
        source=source,
        text=text,
        title=(extracted.title or "").strip(),
        published=published,
        url=url or extracted.url or None,
    )


def _bounded_html(html: str) -> str:
    """The HTML up to its MAX_HTML_TAGS-th start tag (the parser closes what is left open)."""
    if html.count("<") <= MAX_HTML_TAGS:
        return html
    for count, match in enumerate(_START_TAG.finditer(html)):
        if count == MAX_HTML_TAGS:
            logger.debug("HTML cut at %d tags (%d of %d characters)", MAX_HTML_TAGS, match.start(), len(html))
            return html[: match.start()]
    return html


def _extract(tree: HtmlElement, *, url: str | None) -> TrafilaturaDocument | None:
    extracted = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,  # on by default; reader comments are not the article
        with_metadata=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    return extracted if isinstance(extracted, TrafilaturaDocument) else None


def _paragraphs(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _only_link_labels(text: str, tree: HtmlElement) -> bool:
    """True when every word of the text is a word of some link: a menu, not an article."""
    # The text of every link at once: one lxml call, not one per link.
    link_words = set(re.findall(r"\w+", " ".join(tree.xpath("//a//text()")).lower()))
    return set(re.findall(r"\w+", text.lower())) <= link_words


def _error(label: str, reason: str) -> InputError:
    # One line whatever the path or server said (a URL cut if absurdly long): the CLI prints it as it is.
    label = label if len(label) <= 500 else label[:499] + "…"
    return InputError(re.sub(r"[\x00-\x1f\x7f]+", " ", f"{label}: {reason}"))
