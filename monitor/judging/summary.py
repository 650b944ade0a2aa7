# SPDX-License-Identifier: MIT
"""One-line, human-readable descriptions of claims and changes.

>>> describe_values({"amount_usd": 3e11, "duration_years": 5})
'$300 billion, 5 years'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from rules.model import Claim


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 feed", "2 feeds", "1 new article", "0 changes"; `plural_form` where "s" is wrong."""
    word = singular if count == 1 else plural_form or singular + "s"
    return f"{count:,} {word}"


def money(amount: float) -> str:
    """$300 billion, $1.4 trillion, $500 million."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(amount) >= scale:
            return f"${amount / scale:.3g} {word}"
    return f"${amount:,.0f}"


_FORMATS: dict[str, Callable[[Any], str]] = {
    "amount_usd": money,
    "amount_other": str,
    "share_pct": lambda v: f"{v:g}%",
    "capacity_gw": lambda v: f"{v:g} GW",
    "units": lambda v: plural(int(v), "unit"),
    "rank": lambda v: f"rank {int(v)}",
    "until": lambda v: f"until {v}",
    "since": lambda v: f"since {v}",
    "duration_years": lambda v: f"{v:g} year" if v == 1 else f"{v:g} years",
    "names": lambda v: ", ".join(v),
}


def describe_values(values: dict[str, Any]) -> str:
    return ", ".join(_FORMATS.get(name, str)(value) for name, value in values.items() if value not in (None, [], ""))


def describe(claim: Claim | None) -> str:
    """A claim as "status (values)", or "unknown"."""
    if claim is None:
        return "unknown"
    values = describe_values(claim.values)
    return f"{claim.status} ({values})" if values else claim.status


@cache
def _names() -> tuple[dict[str, str], dict[str, str]]:
    """Facet labels and entity display names from the rule files, read once (a full load costs ~0.3 s)."""
    from rules.loader import load_rules  # the rules' labels name the facets in summaries

    rules = load_rules()
    labels = {facet: rule.label for facet, rule in rules.facets.items()}
    return labels, {entity.id: entity.name for entity in rules.entities.values()}


def _labels() -> dict[str, str]:
    return _names()[0]


def _key_names() -> dict[str, str]:
    return _names()[1]


def facet_ids() -> list[str]:
    """Every facet the rules know, in order."""
    return sorted(_labels())


def facet_name(facet: str) -> str:
    """The facet's label for any key: "OpenAI compute from …"."""
    return _labels().get(facet, facet).replace("{key}", "…")


def facet_label(facet: str, key: str) -> str:
    """The facet's label from its rule file, with the key's display name filled in."""
    label = _labels().get(facet, facet)
    if "{key}" not in label:
        return label
    name = _key_names().get(key, key)
    head, _, tail = label.partition("{key}")
    # "Microsoft using {key} models" with "open-source models": the word is said once
    last_word = name.split()[-1].lower() if name.split() else ""
    following = tail.split(maxsplit=1)
    if following and following[0].lower() == last_word:
        tail = f" {following[1]}" if len(following) > 1 else ""
    return f"{head}{name}{tail}"


def summarize(kind: str, before: Claim | None, after: Claim) -> str:
    """ "Microsoft's right of first refusal on OpenAI compute: held → ended"."""
    label = facet_label(after.facet, after.key)
    reported = " (reported)" if after.hedged else ""
    if kind == "new":
        return f"{label}: new, {describe(after)}{reported}"
    return f"{label}: {describe(before)} → {describe(after)}{reported}"
