# SPDX-License-Identifier: MIT
"""monitor.reading.source: files, stdin and URLs (served on 127.0.0.1) become a Document or one-line InputError."""

from __future__ import annotations

import io
import socket
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.errors import InputError
from monitor.reading.source import Document, FetchOptions, document_from_bytes, read_source
from tests.support.httpserver import LocalServer, RecordedRequest

PAGES = Path(__file__).parent / "pages"
CASES = sorted(PAGES.glob("*.toml"))
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}


def page_for(case: Path) -> Path:
    """The fixture beside an expectation file: same stem, any other extension."""
    (page,) = [p for p in PAGES.glob(f"{case.stem}.*") if p.suffix != ".toml"]
    return page


def expect_error(call: Callable[[], Document], *fragments: str) -> str:
    """Run call, check it raises a one-line InputError containing every fragment, return the message."""
    with pytest.raises(InputError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    for fragment in fragments:
        assert fragment in message
    return message


EXPECTATION_KEYS = {"title", "published", "url", "contains", "excludes", "error"}


def load_expectations(case: Path) -> dict[str, Any]:
    expected = tomllib.loads(case.read_text(encoding="utf-8"))
    assert set(expected) <= EXPECTATION_KEYS, f"{case.name}: unknown keys {set(expected) - EXPECTATION_KEYS}"
    return expected


def check_expectations(doc: Document, expected: dict[str, Any]) -> None:
    assert doc.title == expected.get("title", doc.title)
    assert doc.published == expected.get("published")
    if "url" in expected:
        assert doc.url == expected["url"]
    for phrase in expected.get("contains", []):
        assert phrase in doc.text
    for phrase in expected.get("excludes", []):
        assert phrase not in doc.text


# --- fixture pages: one file per case, its expectations in a .toml beside it ----------------------


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_page_fixture(case: Path) -> None:
    expected = load_expectations(case)
    source = str(page_for(case))
    if "error" in expected:
        expect_error(lambda: read_source(source), source, expected["error"])
        return
    doc = read_source(source)
    assert doc.source == source
    check_expectations(doc, expected)


def test_stdin_plain_text() -> None:
    doc = read_source("-", stdin=io.BytesIO(b"Microsoft signs.\r\nOpenAI buys Azure.\r\n"))
    assert doc == Document(source="-", text="Microsoft signs.\nOpenAI buys Azure.")


def test_stdin_html() -> None:
    doc = read_source("-", stdin=io.BytesIO((PAGES / "news_en.html").read_bytes()))
    assert doc.title == "Microsoft and OpenAI sign new compute agreement"
    assert doc.source == "-"


def test_stdin_empty() -> None:
    expect_error(lambda: read_source("-", stdin=io.BytesIO(b"")), "<stdin>: empty input")


# --- local input errors ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
LOCAL_ERRORS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda tmp: tmp / "missing.html", "no such file"),
    "directory": (lambda tmp: tmp, "is a directory, not a file"),
    "empty": (lambda tmp: _write(tmp / "empty.html", b""), "empty input"),
    "whitespace": (lambda tmp: _write(tmp / "blank.txt", b" \n\t\n"), "empty input"),
    "png": (lambda tmp: _write(tmp / "image.png", PNG), "binary data (PNG image, not HTML or text)"),
    "pdf": (lambda tmp: _write(tmp / "paper.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "binary data (PDF,"),
    "nul-bytes": (lambda tmp: _write(tmp / "data.txt", b"text\x00\x01\x02more"), "binary data (not HTML"),
    "control-chars": (lambda tmp: _write(tmp / "ctl.txt", b"\x1b\x02\x03\x04ab" * 50), "binary data"),
    "gzip": (lambda tmp: _write(tmp / "page.html.gz", b"\x1f\x8b\x08\x00rest"), "binary data (gzip data,"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, reason", LOCAL_ERRORS.values(), ids=LOCAL_ERRORS.keys())
def test_local_input_error(tmp_path: Path, make: Callable[[Path], Path], reason: str) -> None:
    source = str(make(tmp_path))
    expect_error(lambda: read_source(source), f"{source}: {reason}")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, where chmod 000 does not stop a read: make open() refuse instead.
    source = str(_write(tmp_path / "secret.txt", b"text"))

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    expect_error(lambda: read_source(source), f"{source}: permission denied")


def test_local_file_larger_than_max_bytes(tmp_path: Path) -> None:
    source = str(_write(tmp_path / "big.txt", b"word " * 300))
    expect_error(lambda: read_source(source, options=FetchOptions(max_bytes=1000)), "larger than 1000 bytes")


BAD_URLS = {
    "ftp": ("ftp://x", "unsupported URL scheme (only http and https)"),
    "file": ("file:///etc/hostname", "unsupported URL scheme"),
    "no-host": ("http:///path", "invalid URL (no host name)"),
    "bad-port": ("http://[::1", "invalid URL"),
}


@pytest.mark.parametrize("source, reason", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_bad_url(source: str, reason: str) -> None:
    expect_error(lambda: read_source(source), f"{source}: {reason}")


# --- decoding ---------------------------------------------------------------------------------------

DECODING = {
    "utf8-bom": ("\ufeffL’été".encode(), None, "L’été"),
    "utf16-bom": ("L’été à Paris".encode("utf-16"), None, "L’été à Paris"),
    "charset-header": ("L’été".encode("cp1252"), "text/plain; charset=windows-1252", "L’été"),
    # On the web "iso-8859-1" means windows-1252, which has ’ at 0x92.
    "latin1-label": ("L’été".encode("cp1252"), "text/plain; charset=ISO-8859-1", "L’été"),
    "valid-utf8-beats-wrong-label": ("L’été".encode(), "text/plain; charset=iso-8859-1", "L’été"),
    "undeclared-falls-back-to-cp1252": ("L’été".encode("cp1252"), None, "L’été"),
    "unknown-label": ("L’été".encode("cp1252"), "text/plain; charset=x-nonsense", "L’été"),
}


@pytest.mark.parametrize("data, content_type, text", DECODING.values(), ids=DECODING.keys())
def test_decoding(data: bytes, content_type: str | None, text: str) -> None:
    assert document_from_bytes(data, source="s", content_type=content_type).text == text


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"<p>Azure stays.</p><p>OpenAI grows.</p>", None),
        (b"<ARTICLE><P>Azure stays.</P><P>OpenAI grows.</P></ARTICLE>", None),
        (b"<div>Azure stays.</div><div>OpenAI grows.</div>", "text/html"),
    ],
    ids=["sniffed-p", "sniffed-uppercase", "content-type"],
)
def test_html_detection(data: bytes, content_type: str | None) -> None:
    doc = document_from_bytes(data, source="s", content_type=content_type)
    assert doc.text == "Azure stays.\nOpenAI grows."


# --- URLs on a real local server ------------------------------------------------------------------


def test_url_page_and_user_agent(local_server: LocalServer) -> None:
    local_server.route("/news/deal.html", (PAGES / "news_en.html").read_bytes(), headers=HTML)
    url = local_server.url("/news/deal.html")
    doc = read_source(url, options=FetchOptions(user_agent="monitor-test/9.9"))
    expected = load_expectations(PAGES / "news_en.toml")
    check_expectations(doc, expected | {"url": url})  # the URL fetched wins over the canonical one
    (request,) = local_server.requests
    assert request.method == "GET"
    assert request.headers["User-Agent"] == "monitor-test/9.9"


def test_url_default_user_agent(local_server: LocalServer) -> None:
    local_server.route("/a.txt", "Microsoft and OpenAI.", headers=TEXT)
    assert read_source(local_server.url("/a.txt")).text == "Microsoft and OpenAI."
    assert local_server.requests[0].headers["user-agent"] == FetchOptions().user_agent


def test_url_cp1252_declared_in_meta_only(local_server: LocalServer) -> None:
    local_server.route("/ete", (PAGES / "cp1252.html").read_bytes(), headers={"Content-Type": "text/html"})
    assert "qu’OpenAI restera un client privilégié" in read_source(local_server.url("/ete")).text


def test_redirect_chain_is_followed(local_server: LocalServer) -> None:
    local_server.route("/a", status=302, headers={"Location": local_server.url("/b")})
    local_server.route("/b", status=301, headers={"Location": "/c?from=b"})  # relative
    local_server.route("/c", (PAGES / "news_fr.html").read_bytes(), headers=HTML)
    doc = read_source(local_server.url("/a"), options=FetchOptions(max_redirects=2))
    assert doc.url == local_server.url("/c?from=b")
    assert doc.source == local_server.url("/a")
    assert doc.title.startswith("Microsoft et OpenAI")
    assert [r.path for r in local_server.requests] == ["/a", "/b", "/c?from=b"]


def test_redirect_loop(local_server: LocalServer) -> None:
    local_server.route("/loop", status=302, headers={"Location": "/loop"})
    url = local_server.url("/loop")
    expect_error(lambda: read_source(url), url, "too many redirects (more than 5)")
    assert len(local_server.requests) == 6  # the first request and five redirects


def test_too_many_redirects(local_server: LocalServer) -> None:
    for hop in range(3):
        local_server.route(f"/{hop}", status=307, headers={"Location": f"/{hop + 1}"})
    local_server.route("/3", "reached", headers=TEXT)
    url = local_server.url("/0")
    expect_error(lambda: read_source(url, options=FetchOptions(max_redirects=2)), url, "too many redirects")
    assert read_source(url, options=FetchOptions(max_redirects=3)).text == "reached"


@pytest.mark.parametrize(
    "target, reason",
    [
        ("ftp://127.0.0.1/file.txt", "redirect to an unsupported URL scheme (ftp://127.0.0.1/file.txt)"),
        ("file:///etc/passwd", "redirect to an unsupported URL scheme (file://"),
        ("javascript:alert(1)", "redirect to an invalid URL"),
    ],
)
def test_redirect_to_other_scheme(local_server: LocalServer, target: str, reason: str) -> None:
    local_server.route("/r", status=302, headers={"Location": target})
    url = local_server.url("/r")
    expect_error(lambda: read_source(url), url, reason)
    assert len(local_server.requests) == 1


@pytest.mark.parametrize(
    "status, reason",
    [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error"), (410, "HTTP 410 Gone")],
)
def test_http_error_status(local_server: LocalServer, status: int, reason: str) -> None:
    local_server.route("/page", "<html><body><p>error page text</p></body></html>", status=status)
    url = local_server.url("/page")
    expect_error(lambda: read_source(url), f"{url}: {reason}")


def test_unknown_path_is_404(local_server: LocalServer) -> None:
    url = local_server.url("/nothing-here")
    expect_error(lambda: read_source(url), f"{url}: HTTP 404 Not Found")


def test_unreachable_port() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    expect_error(lambda: read_source(url), f"{url}: unreachable (connection refused)")


def test_tls_to_a_plain_http_port(local_server: LocalServer) -> None:
    url = local_server.url("/x").replace("http://", "https://")
    expect_error(lambda: read_source(url), f"{url}: TLS handshake failed")


def _chunks(count: int, size: int, pause: float = 0.0) -> Iterator[bytes]:
    for _ in range(count):
        time.sleep(pause)
        yield b"a" * size


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_response_larger_than_max_bytes(local_server: LocalServer, declared: bool) -> None:
    if declared:
        local_server.route("/big.txt", b"a" * 200_000)
    else:  # no Content-Length: the limit must hold while streaming
        local_server.route_handler("/big.txt", lambda _r: (200, TEXT, _chunks(50, 4000)))
    url = local_server.url("/big.txt")
    options = FetchOptions(max_bytes=50_000)
    expect_error(lambda: read_source(url, options=options), f"{url}: response larger than 50000 bytes")


def test_read_timeout(local_server: LocalServer) -> None:
    release = threading.Event()

    def stall(_request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        release.wait(10)  # longer than the client waits; released when the test ends
        return 200, {}, b"too late"

    local_server.route_handler("/slow", stall)
    url = local_server.url("/slow")
    started = time.monotonic()
    try:
        options = FetchOptions(timeout_s=0.5)
        expect_error(lambda: read_source(url, options=options), f"{url}: timed out after 0.5s")
    finally:
        release.set()
    assert time.monotonic() - started < 3


def test_trickled_body_hits_overall_deadline(local_server: LocalServer) -> None:
    # Each chunk arrives well within the read timeout, but the whole body would take ~4 s.
    local_server.route_handler("/drip", lambda _r: (200, TEXT, _chunks(20, 10, pause=0.2)))
    url = local_server.url("/drip")
    started = time.monotonic()
    expect_error(lambda: read_source(url, options=FetchOptions(timeout_s=0.5)), url, "timed out after 0.5s")
    assert time.monotonic() - started < 2


def test_custom_transport_is_used() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="From the transport.", headers={"Content-Type": "text/plain"})

    doc = read_source("https://news.invalid/x", transport=httpx.MockTransport(handler))
    assert doc == Document(source="https://news.invalid/x", text="From the transport.", url="https://news.invalid/x")


# --- the test server itself -------------------------------------------------------------------------


def test_local_server_methods_and_headers(local_server: LocalServer) -> None:
    local_server.route("/hook", "ok", status=202, headers={"X-Reply": "1"})
    with httpx.Client() as client:
        posted = client.post(local_server.url("/hook?id=7"), content=b'{"a": 1}', headers={"X-Sig": "abc"})
        head = client.head(local_server.url("/hook"))
        missing = client.get(local_server.url("/absent"))
    assert (posted.status_code, posted.text, posted.headers["x-reply"]) == (202, "ok", "1")
    assert (head.status_code, head.content, head.headers["content-length"]) == (202, b"", "2")
    assert missing.status_code == 404
    post = local_server.requests[0]
    assert (post.method, post.path, post.body) == ("POST", "/hook?id=7", b'{"a": 1}')
    assert post.headers["x-sig"] == post.headers["X-SIG"] == post.headers.get("X-Sig") == "abc"
    assert "X-Sig" in post.headers
    assert [r.method for r in local_server.requests] == ["POST", "HEAD", "GET"]


def test_local_server_dynamic_handler(local_server: LocalServer) -> None:
    calls = iter([(503, {}, b"busy"), (200, {"ETag": '"v1"'}, b"fresh")])
    local_server.route_handler("/feed", lambda _r: next(calls))
    with httpx.Client() as client:
        statuses = [client.get(local_server.url("/feed")).status_code for _ in range(2)]
    assert statuses == [503, 200]
