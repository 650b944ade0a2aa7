# SPDX-License-Identifier: MIT
"""The one error storage raises on purpose; the service's error tree (`monitor.errors`) builds on it."""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be opened, migrated, read or written; one line naming the file."""
