# SPDX-License-Identifier: MIT
"""Compare claims with the known state: new, changed, reversed, confirmed, or history.

The rules of ../shared/spec/FACETS.md ("What counts as a change"):

- `new`: nothing is known for this facet and key;
- `reversed`: the status crosses between in force (held, active, planned) and
  not in force (ended, denied) — the highest severity;
- `changed`: same side, but a value differs or is given where none was known,
  a name is new, or `planned` became `active`;
- `confirmed`: nothing differs (corroboration, no alert);
- `history`: the text places the claim at or before the date of what is known
  ("back in 2019…"): recorded, never alerted.

Amounts compare within 2 %. `since` only dates a start, so it is never a
change by itself, but for a plan whose start is still ahead (a schedule).
A hedged claim is flagged like others, one severity lower.

    >>> state = KnownState.empty("2025-09-11")
    >>> classify(Claim("openai.compute_provider", "aws", "active"), state).kind
    'new'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rules.model import NOT_IN_FORCE, Claim

AMOUNT_TOLERANCE = 0.02
SEVERITIES = ("low", "medium", "high", "critical")
KIND_SEVERITY = {"reversed": "critical", "new": "high", "changed": "medium"}
KIND_RANK = {"reversed": 4, "changed": 3, "new": 3, "confirmed": 1, "history": 0}
IGNORED_VALUES = frozenset({"since"})


@dataclass(frozen=True)
class Citation:
    """Where a known claim was read: the source (a seed file or a URL) and its sentence."""

    source: str
    evidence: str
    when: str


@dataclass(frozen=True)
class Known:
    """What is known of one facet and key: the merged claim and where it was read."""

    claim: Claim
    date: str
    citations: tuple[Citation, ...] = ()
    change_id: str | None = None  # the flagged change that made it known; None for the baseline
    change_kind: str | None = None  # and its kind


@dataclass
class KnownState:
    """The known state: per (facet, key), the latest merged claim.

    `date` is the date of the state as a whole (the latest seed or change):
    a claim about an unknown key that the text dates before it is history.
    """

    date: str
    known: dict[tuple[str, str], Known] = field(default_factory=dict)
    change_ids: set[str] = field(default_factory=set)  # the flagged changes applied (another daemon's may be missing)

    @classmethod
    def empty(cls, date: str = "") -> KnownState:
        return cls(date)

    def get(self, facet: str, key: str) -> Known | None:
        return self.known.get((facet, key))

    def apply(
        self, claim: Claim, *, date: str | None = None, change_id: str | None = None, change_kind: str | None = None
    ) -> None:
        """Make `claim` part of the known state: its status and values supersede, names accumulate.

        `change_id` names the flagged change it comes from: a later report that
        confirms it is attached to that change as a further source.
        """
        when = date or claim.when
        before = self.get(claim.facet, claim.key)
        merged = claim if before is None else _merge(before.claim, claim)
        citations = (before.citations if before else ()) + (Citation(claim.source, claim.evidence, when),)
        self.known[(claim.facet, claim.key)] = Known(
            merged, max(when, before.date) if before else when, citations, change_id, change_kind
        )
        self.date = max(self.date, when)
        if change_id:
            self.change_ids.add(change_id)

    def copy(self) -> KnownState:
        return KnownState(self.date, dict(self.known), set(self.change_ids))


def _merge(old: Claim, new: Claim) -> Claim:
    if old.status in ("held", "active") and new.status == "planned":
        # a plan for an arrangement in force ("will eventually reach 20 sites") adds what it
        # tells that was unknown, but neither downgrades the status nor overrides a known value
        new = replace(new, status=old.status, values={**new.values, **old.values})
    values = {**old.values, **new.values}
    if "names" in old.values or "names" in new.values:
        values["names"] = _union(old.values.get("names", []), new.values.get("names", []))
    return replace(new, values=values)


def _union(first: list[str], second: list[str]) -> list[str]:
    seen = {n.casefold() for n in first}
    return list(first) + [n for n in second if n.casefold() not in seen]


@dataclass(frozen=True)
class Verdict:
    """How one claim compares with the known state."""

    kind: str  # new | changed | reversed | confirmed | history
    before: Known | None
    reasons: tuple[str, ...] = ()


def classify(claim: Claim, state: KnownState) -> Verdict:
    """Compare one claim with the known state (see the module docstring)."""
    known = state.get(claim.facet, claim.key)
    reference = known.date if known else state.date
    # "AMD has supplied OpenAI since March": a start that still holds; of a key never seen it is news
    ongoing = known is None and not claim.past and bool(claim.when) and claim.values.get("since") == claim.when
    later = _values_for_the_whole_period(claim, known, reference)
    # a date the text gives after what is known beats a tense of the past: « Le 22 septembre, Nvidia et
    # OpenAI avaient signé une lettre d'intention », read against a baseline of 11 September, is news
    past = claim.past and not (claim.dated and claim.when and not _not_after(claim.when, reference))
    if past or (claim.dated and not ongoing and not later and _not_after(claim.when, reference)):
        return Verdict("history", known, (f"dated {claim.when or 'in the past'}, not after {reference}",))
    if known is None:
        return Verdict("new", None, ("nothing known for this facet and key",))
    before = known.claim
    if claim.status == "denied" and claim.basis == "denied" and before.status in ("active", "held"):
        # "OpenAI denied a rumoured TPU deal with Google": a denial speaks of a report, and leaves in
        # force what was known to be (a cancellation, "scrapped", still ends it)
        return Verdict("confirmed", known, ("a denial of a report; what was in force stays",))
    if (before.status in NOT_IN_FORCE) != (claim.status in NOT_IN_FORCE):
        return Verdict("reversed", known, (f"status {before.status} → {claim.status}",))
    reasons = value_differences(before.values, claim.values, scheduled=_scheduled(claim, before))
    if before.status == "planned" and claim.status == "active":
        reasons = ("planned → active",) + reasons
    return Verdict("changed" if reasons else "confirmed", known, reasons)


def _not_after(when: str, reference: str) -> bool:
    """True when `when` (any ISO precision) is not after `reference`, compared at `when`'s precision."""
    return bool(when) and bool(reference) and when <= reference[: len(when)]


def _values_for_the_whole_period(claim: Claim, known: Known | None, reference: str) -> bool:
    """Whether `claim` gives values for a whole period (a year, a month) inside which the known
    state is dated: then it may be later news, not history.

    "Revenue passed $20bn in 2025", read against a figure of June 2025, speaks of a year that ran
    past it: the latest figure. "September: Nvidia signs a letter of intent", read against a
    baseline of mid-September, is a provider the baseline did not know. A change of status dated
    that way is the known event told again, so only values (or a key never seen) count here.
    """
    period = claim.when
    if not (period and len(period) < len(reference) and reference.startswith(period)):
        return False
    if known is None:
        return claim.status not in NOT_IN_FORCE
    return (known.claim.status in NOT_IN_FORCE) == (claim.status in NOT_IN_FORCE) and bool(
        value_differences(known.claim.values, claim.values)
    )


def _scheduled(claim: Claim, before: Claim) -> bool:
    """A plan known as a plan, whose start is still ahead ("mass production from 2026"): its `since`
    is a schedule, news when it is new or moves. A start already past only dates what holds, and a
    later start of more of what is under way ("Oracle's cloud from 2027") is no schedule of it."""
    since = str(claim.values.get("since") or "")
    planned = claim.status == before.status == "planned"
    return planned and bool(since) and bool(claim.when) and since > claim.when[: len(since)]


def value_differences(before: dict[str, Any], after: dict[str, Any], *, scheduled: bool = False) -> tuple[str, ...]:
    """What `after` says that differs from `before`, one phrase per value (`since` only when `scheduled`)."""
    reasons = []
    for name, value in after.items():
        if name in IGNORED_VALUES and not scheduled:
            continue
        old = before.get(name)
        if name == "names":
            fresh = [n for n in value if not _known_name(n, old or [])]
            if fresh:
                reasons.append(f"new names: {', '.join(fresh)}")
        elif old is None:
            reasons.append(f"{name} {value} (none known)")
        elif not _same(name, old, value):
            reasons.append(f"{name} {old} → {value}")
    return tuple(reasons)


def _known_name(name: str, known: list[str]) -> bool:
    """A name known as is, or as the family of a known one ("Maia" when "Maia 100" is known)."""
    folded = name.casefold()
    return any(k.casefold() == folded or k.casefold().startswith(folded + " ") for k in known)


def _same(name: str, old: Any, new: Any) -> bool:
    if name == "amount_usd":
        return abs(float(new) - float(old)) <= AMOUNT_TOLERANCE * max(abs(float(old)), 1.0)
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return abs(float(old) - float(new)) < 1e-9
    return str(old).casefold() == str(new).casefold()


def severity(kind: str, *, hedged: bool) -> str:
    """The kind's severity, one lower when the claim is hedged."""
    level = SEVERITIES.index(KIND_SEVERITY[kind])
    return SEVERITIES[max(0, level - 1) if hedged else level]


@dataclass(frozen=True)
class Change:
    """A flagged change: new, changed or reversed, with the claim it departs from."""

    facet: str
    key: str
    kind: str
    before: Claim | None
    after: Claim
    severity: str
    summary: str
    reasons: tuple[str, ...] = ()
    citations: tuple[Citation, ...] = ()  # where the `before` claim was read

    def to_json(self) -> dict[str, Any]:
        return {
            "facet": self.facet,
            "key": self.key,
            "kind": self.kind,
            "before": self.before.to_json() if self.before else None,
            "after": self.after.to_json(),
            "severity": self.severity,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Reading:
    """One facet and key of one document: the claim chosen to speak for it, and its verdict."""

    claim: Claim
    verdict: Verdict


def read_against(claims: list[Claim], state: KnownState) -> list[Reading]:
    """One reading per facet and key: the claim that says the most against the known state.

    An article may state a facet several times (a headline, a recap, a line of
    history); the reading that would change the most wins, then the one with
    more values, then the earliest in the text.
    """
    best: dict[tuple[str, str], Reading] = {}
    for claim in claims:
        reading = Reading(claim, classify(claim, state))
        current = best.get((claim.facet, claim.key))
        if current is None or _rank(reading) > _rank(current):
            best[(claim.facet, claim.key)] = reading
    return list(best.values())


def _rank(reading: Reading) -> tuple[int, int, int]:
    return KIND_RANK[reading.verdict.kind], len(reading.verdict.reasons), len(reading.claim.values)


def diff(claims: list[Claim], state: KnownState) -> list[Change]:
    """The changes `claims` make to `state`: new, changed and reversed only, one per facet and key."""
    return changes_of(read_against(claims, state))


def changes_of(readings: list[Reading]) -> list[Change]:
    """The readings that are changes, as `Change`s with their summary and severity."""
    from monitor.judging.summary import summarize  # summaries read the rules' labels

    changes = []
    for reading in readings:
        verdict, claim = reading.verdict, reading.claim
        if verdict.kind not in KIND_SEVERITY:
            continue
        before = verdict.before.claim if verdict.before else None
        changes.append(
            Change(
                claim.facet,
                claim.key,
                verdict.kind,
                before,
                claim,
                severity(verdict.kind, hedged=claim.hedged),
                summarize(verdict.kind, before, claim),
                verdict.reasons,
                verdict.before.citations if verdict.before else (),
            )
        )
    return changes
