# SPDX-License-Identifier: MIT
"""Telling a PostgreSQL URL from a SQLite path, and showing it without its password, without importing psycopg."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: object) -> bool:
    """Whether `target` names a PostgreSQL database (`postgresql://…` or `postgres://…`)."""
    return isinstance(target, str) and target.lower().startswith(SCHEMES)


def redact(url: str) -> str:
    """The URL as it may be shown: its password, and any password parameter, masked.

    >>> redact("postgresql://bob:hunter2@db.example:5432/monitor?sslmode=require")
    'postgresql://bob:***@db.example:5432/monitor?sslmode=require'
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
        query = "&".join(
            f"{pair.partition('=')[0]}=***" if pair.lower().startswith("password=") else pair
            for pair in parts.query.split("&")
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return url.split("://", 1)[0] + "://***"
