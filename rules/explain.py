# SPDX-License-Identifier: MIT
"""Traces for `monitor check --explain`: which rule touched which sentence, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Trace:
    """One rule meeting one sentence: the trigger that hit and what the rule made of it."""

    sentence: str
    facet: str
    file: str
    trigger: str
    verdict: str
    details: dict[str, Any] = field(default_factory=dict)
