# SPDX-License-Identifier: MIT
"""Canonical URLs: one spelling per article, so the same story reached by two links is stored once.

    >>> canonical_url("HTTPS://News.Example.com:443/a/./b/../deal/?utm_source=rss&b=2&a=1#top")
    'https://news.example.com/a/deal?a=1&b=2'

The rules, in order: lower-case the scheme and host (and drop a trailing dot from
the host), drop the default port, resolve `.` and `..` path segments, normalise
percent-escapes (upper-case hex; unreserved characters decoded), remove a
trailing slash except for the root, drop tracking query parameters, sort the
remaining parameters by name (stably, so repeated names keep their order), and
drop the fragment. Query values are kept as they were written, apart from the
percent-escape normalisation, so a URL never changes meaning by being re-encoded.

Not courlan's `normalize_url` (installed with trafilatura): it keeps `./..`
segments, trailing slashes and fragments, so one article would be stored under
several spellings, and it takes twice the time (14 µs against 7 µs a URL here).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMETERS", "canonical_url", "host_of", "redact_url", "redact_urls_in", "shown_source"]

# Exact names, compared lower-cased; any name starting with "utm_" is dropped as well.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "vero_id",
        "ref", "ref_src", "ref_url",
        "cmpid", "xtor", "at_medium", "at_campaign", "ocid", "smid", "sr_share",
        "_ga", "_gl", "wt.mc_id", "guccounter", "guce_referrer", "guce_referrer_sig",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def canonical_url(url: str) -> str:
    """The canonical spelling of URL (see the module docstring); a URL it cannot parse comes back stripped."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        netloc = _netloc(parts)
    except ValueError:  # e.g. an unbalanced "[" in the host or a port that is not a number
        return url
    path = _remove_dot_segments(_normalise_escapes(parts.path))  # escapes first: "%2E%2E" is ".."
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    if not path and netloc and parts.scheme.lower() in _DEFAULT_PORTS:
        path = "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, _clean_query(parts.query), ""))


def host_of(url: str) -> str:
    """The URL's host name, lower-cased, without port or trailing dot; "" when it has none.

    >>> host_of("https://News.Example.com:8443/x")
    'news.example.com'
    """
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return ""
    return (host or "").rstrip(".")


def _netloc(parts: SplitResult) -> str:
    if not parts.netloc:
        return ""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # an IPv6 literal lost its brackets in .hostname
        host = f"[{host}]"
    port = parts.port  # raises ValueError when the port is not a number
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    return f"{userinfo}{at}{host}"


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on whole segments: "/a/./b/../c" becomes "/a/c"."""
    if "." not in path:
        return path
    absolute = path.startswith("/")
    segments = path.split("/")[1:] if absolute else path.split("/")
    output: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if output:
                output.pop()
            continue
        output.append(segment)
    if segments and segments[-1] in (".", ".."):
        output.append("")  # "/a/b/.." names the directory "/a/", not the file "/a"
    joined = "/".join(output)
    return "/" + joined if absolute else joined


def _normalise_escapes(text: str) -> str:
    """Decode escapes of unreserved characters ("%7E" is "~") and upper-case the rest ("%2f" is "%2F")."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(fix, text) if "%" in text else text


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0]
        if _is_tracking(name):
            continue
        kept.append((name, _normalise_escapes(pair)))
    kept.sort(key=lambda item: unquote_plus(item[0]))  # stable: repeated names keep their order
    return "&".join(pair for _, pair in kept)


def _is_tracking(name: str) -> bool:
    lowered = unquote_plus(name).strip().lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(_TRACKING_PREFIXES)


# --- showing a URL -------------------------------------------------------------------------------
# Credentials in a URL are used on the wire and shown nowhere: not in logs, pages, alerts, the digest
# or the CLI. A query or fragment parameter whose name says it is a secret has its value masked.
SECRET_PARAMETERS = frozenset(
    {
        "key", "apikey", "api_key", "access_key", "accesskey", "secret", "client_secret", "token",
        "access_token", "auth", "auth_token", "authorization", "password", "passwd", "pwd", "pass",
        "sig", "signature", "session", "sessionid", "sid", "jwt", "code", "private_token", "credential",
        "x_amz_signature", "x_amz_credential", "x_amz_security_token", "hmac",
    }
)  # fmt: skip
_SECRET_SUFFIXES = ("token", "secret", "key", "password", "signature", "credential")
MASK = "***"
# A URL inside free text (an error line, a log message): a scheme, "://", then up to a space or quote.
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,15}://[^\s<>\"'`]{1,4000}")


def redact_url(url: str) -> str:
    """URL as it may be shown: no user or password, secret-looking parameter values masked.

    >>> redact_url("https://bob:hunter2@feeds.example.org/rss?apikey=abc&lang=fr#token=x")
    'https://***@feeds.example.org/rss?apikey=***&lang=fr#token=***'
    """
    if "@" not in url and "=" not in url:
        return url  # the common case, and nothing to hide
    try:
        parts = urlsplit(url)
    except ValueError:
        return _masked_after_scheme(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rpartition('@')[2]}"
    return urlunsplit((parts.scheme, netloc, parts.path, _masked_parameters(parts.query),
                       _masked_parameters(parts.fragment)))  # fmt: skip


def shown_source(source: dict[str, Any]) -> dict[str, Any]:
    """A change's source as shown and sent (the API, `monitor changes --json`): url with its
    credentials redacted, title, published."""
    url = source.get("url")
    return {"url": redact_url(url) if url else url, "title": source.get("title"), "published": source.get("published")}


def redact_urls_in(text: str) -> str:
    """`text` with every URL in it redacted (`redact_url`)."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    url = match.group(0)
    kept = url.rstrip(".,;:!?)]}")  # the sentence's punctuation after a URL is not part of it
    return redact_url(kept) + url[len(kept) :]


def _masked_parameters(query: str) -> str:
    if "=" not in query:
        return query
    pairs = []
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        secret = equals and value and _is_secret(unquote_plus(name))
        pairs.append(f"{name}={MASK}" if secret else pair)
    return "&".join(pairs)


def _is_secret(name: str) -> bool:
    name = name.strip().lower().replace("-", "_")
    return name in SECRET_PARAMETERS or name.endswith(_SECRET_SUFFIXES)


def _masked_after_scheme(url: str) -> str:
    """A URL that does not parse: its scheme and what looks like its host, nothing else."""
    scheme, sep, rest = url.partition("://")
    host = re.split(r"[/?#]", rest.rpartition("@")[2], maxsplit=1)[0]
    return f"{scheme}{sep}{host}/{MASK}" if sep else MASK
