# SPDX-License-Identifier: MIT
"""The one error the rules raise on purpose; the service's error tree (`monitor.errors`) builds on it."""

from __future__ import annotations


class RuleError(Exception):
    """A rule or vocabulary file is invalid; one line naming the file and the key."""
