# SPDX-License-Identifier: MIT
"""Steps 6–8 of the engine (see `rules.engine`): one facet rule on one trigger's clause.

A cue speaks about the trigger it is nearest to, inside the trigger's clause
and within `CUE_REACH` characters: in « Microsoft, auparavant partenaire
exclusif, a perdu sa position de fournisseur exclusif », « auparavant » dates
the first mention and « a perdu » ends the second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rules.loader import Entity, FacetRule, Label
from rules.model import Claim
from rules.phrases import Hit
from rules.scan import ScannedSentence
from rules.values import Value

CUE_REACH = 90  # characters between a cue and its trigger, at most
TIME_KINDS = ("date", "since", "until")
STATUS_ORDER = ("denied", "ended", "continuing", "planned", "active")
_CLAUSE_WIDE = frozenset({"negation", "denied", "hypothetical", "exception"})
SENTENCE_START = 20  # characters: a supposition this close to the start frames the whole sentence
_BAD_NEWS = frozenset({"ended", "setback", "denied"})


@dataclass(frozen=True)
class ClauseJob:
    """Everything one rule needs to read one trigger's clause."""

    rule: FacetRule
    facets: dict[str, FacetRule]
    entities: dict[str, Entity]
    trigger: Hit[Label]
    triggers: list[Hit[Label]]  # all of this facet's triggers in the sentence
    sentence: ScannedSentence
    inherited_date: Callable[[], str | None]  # the date the paragraph's earlier sentences give, if any
    source: str
    supposing: bool = False  # the previous sentence supposes something: a conditional here goes on supposing


@dataclass(frozen=True)
class ClauseResult:
    claims: list[Claim]
    verdict: str
    details: dict[str, Any]
    strength: int = 0  # how much the clause said: a status cue beats the default, the present beats history

    @staticmethod
    def best(results: list[ClauseResult]) -> ClauseResult:
        """The most informative reading of one clause among its trigger occurrences."""
        return max(results, key=lambda r: (bool(r.claims), r.strength))


def read_clause(job: ClauseJob) -> ClauseResult:
    """Claims of `job.rule` from the clause of `job.trigger`, or none and the reason why."""
    s, rule = job.sentence, job.rule
    start, end = s.clause_of(job.trigger.start)
    inside = s.memo(("inside", start, end), lambda: [h for h in s.hits if start <= h.start < end])
    if reason := s.memo(("gate", rule.facet, start, end), lambda: _gate(rule, inside, s.hits)):
        return ClauseResult([], reason, {})
    keys = _keys(job, inside)
    if not keys:
        return ClauseResult([], f"skipped: no {rule.key_class} named in the clause", {})
    cues = _own_cues(job, start, end)
    # Negation, denial and supposition qualify the whole clause, not only the nearest trigger.
    clause_cues = [h for h in s.cues(rule.facet) if start <= h.start < end and h.label[1] in _CLAUSE_WIDE]
    cues = sorted(set(cues) | set(clause_cues), key=lambda h: h.start)
    # Two triggers of one clause that own the same cues read it the same way: read it once.
    reading = (rule.facet, start, end, tuple(keys), tuple((h.start, h.end, h.label) for h in cues))
    return s.memo(reading, lambda: _read(job, start, end, keys, cues))


def _read(job: ClauseJob, start: int, end: int, keys: list[str], cues: list[Hit[Label]]) -> ClauseResult:
    """Steps 5–7 once the clause, its keys and the trigger's cues are known."""
    s, rule = job.sentence, job.rule
    classes = {h.label[1] for h in cues}
    if "hypothetical" in classes or s.memo(("supposes", rule.facet), lambda: _supposes(job)):
        return ClauseResult([], "skipped: hypothetical", {"cues": _phrases(cues)})
    values = s.memo(("values", rule.facet, start, end), lambda: _values(job, start, end))
    later_bad_news = [h for h in s.cues(rule.facet) if start <= h.start < end and h.label[1] in _BAD_NEWS]
    future = s.memo(("future", start, end), lambda: _has_future_start(job, start, end))
    status, cue_rank = _status(rule, job.trigger, cues, bad_news=later_bad_news, future=future)
    if status is None:
        return ClauseResult([], "skipped: negated", {"cues": _phrases(cues)})
    if rule.require_value and not rule.require_value & values.keys():
        return ClauseResult([], f"skipped: no {' or '.join(sorted(rule.require_value))} in the clause", {})
    when, dated = _when(job, start, end, present="now" in classes and s.speaks_of_now(start, end))
    hedged = s.memo(("hedged", rule.facet), lambda: any(h.label[1] == "hedge" for h in s.cues(rule.facet)))
    claims = [
        Claim(
            facet=rule.facet,
            key=key,
            status=status,
            values=values,
            hedged=hedged,
            when=when,
            evidence=s.sentence.text,
            dated=dated,
            past="history" in classes,
            source=job.source,
            rule=rule.file,
        )
        for key in keys
    ]
    details = {
        "keys": keys,
        "status": status,
        "cues": _phrases(cues),
        "values": values,
        "when": when,
        "hedged": hedged,
        "history cue": "history" in classes,
    }
    strength = (0 if "history" in classes else 100) + cue_rank * 10 + len(values)
    return ClauseResult(claims, "claim", details, strength)


def _supposes(job: ClauseJob) -> bool:
    """A sentence opening on a supposition ("If…", « Dans une telle hypothèse, … »), or a
    conditional right after one, supposes in all its clauses."""
    for hit in job.sentence.cues(job.rule.facet):
        if hit.label[1] == "hypothetical" and hit.start < SENTENCE_START:
            return True
        if hit.label[1] == "conditional" and job.supposing:
            return True
    return False


def _gate(rule: FacetRule, inside: list[Hit[Label]], sentence_hits: list[Hit[Label]]) -> str:
    """Why the clause is not about this facet after all, or '' when it is."""
    for group in range(rule.also_groups):
        if not any(h.label == ("also", rule.facet, str(group)) for h in inside):
            return f"skipped: nothing of 'also' group {group + 1} in the clause"
    for hit in inside:
        if hit.label == ("exclude", rule.facet):
            return f"skipped: excluded by {hit.phrase!r}"
    first = _first_party(rule, inside) or _first_party(rule, sentence_hits)
    if first in rule.rivals:
        return f"skipped: the clause is about {first}, not {' or '.join(sorted(rule.requires[0]))}"
    return ""


def _first_party(rule: FacetRule, hits: list[Hit[Label]]) -> str:
    """The first of the rule's subject or rivals named in `hits`: taken as the clause's subject."""
    for hit in hits:
        if hit.label[0] == "entity" and (hit.label[1] in rule.requires[0] or hit.label[1] in rule.rivals):
            return hit.label[1]
    return ""


def _keys(job: ClauseJob, inside: list[Hit[Label]], rule: FacetRule | None = None) -> list[str]:
    rule = rule or job.rule
    if rule.key:
        return [rule.key]
    for hit in inside:  # a trigger that names a company ("a deal with Oracle") keys that company alone
        if hit.label[0] == "entity" and hit.start <= job.trigger.start < hit.end and rule is job.rule:
            named = job.entities[hit.label[1]]
            return [named.id] if rule.key_class in named.classes else []
    keys: list[str] = []
    contrasts = [h.end for h in inside if h.label[:2] == ("cue", "contrast")] if rule is job.rule else []
    for hit in inside:
        entity = job.entities.get(hit.label[1]) if hit.label[0] == "entity" else None
        if entity is None or rule.key_class not in entity.classes or entity.id in keys:
            continue
        if any(0 <= hit.start - end <= 3 for end in contrasts):
            continue  # "beyond Nvidia's GPUs": set against the deal, not part of it
        keys.append(entity.id)
    return keys


def _applies_here(job: ClauseJob, facet: str, inside: list[Hit[Label]], start: int, end: int) -> bool:
    rule = job.facets[facet]
    return job.sentence.memo(("applies", facet, start, end), lambda: _applies(job, rule, inside))


def _applies(job: ClauseJob, rule: FacetRule, inside: list[Hit[Label]]) -> bool:
    """Could `rule` read this clause at all? Only such a rule's triggers compete for cues."""
    return not _gate(rule, inside, job.sentence.hits) and bool(_keys(job, inside, rule))


def _own_cues(job: ClauseJob, start: int, end: int) -> list[Hit[Label]]:
    """The clause's cues nearer to this trigger than to any other facet's, and within reach.

    « les contraintes de cette exclusivité ont été assouplies avec le lancement de Stargate »:
    « assouplies » ends the exclusivity, not Stargate.
    """
    s = job.sentence
    inside = s.memo(("inside", start, end), lambda: [h for h in s.hits if start <= h.start < end])
    plausible = {
        facet
        for facet in {h.label[1] for h in inside if h.label[0] == "trigger"}
        if facet == job.rule.facet or _applies_here(job, facet, inside, start, end)
    }
    rivals = [
        t for t in inside if t.label[0] == "trigger" and t.label[1] in plausible and _distance(t, job.trigger) > 0
    ]
    own = []
    for cue in job.sentence.cues(job.rule.facet):
        if not start <= cue.start < end:
            continue
        distance = _distance(cue, job.trigger)
        # a trigger inside the cue itself ("rival clouds") does not compete for it
        if distance <= CUE_REACH and all(
            distance <= _distance(cue, other) for other in rivals if _distance(cue, other) > 0
        ):
            own.append(cue)
    return own


def _distance(a: Hit[Label], b: Hit[Label]) -> int:
    return max(0, a.start - b.end, b.start - a.end)


def _status(
    rule: FacetRule, trigger: Hit[Label], cues: list[Hit[Label]], *, bad_news: list[Hit[Label]], future: bool
) -> tuple[str | None, int]:
    """The claim's status (None when the clause negates it) and the rank of the cue that set it (0: none).

    `bad_news` are the clause's ending, setback and denial cues, whichever trigger they are nearest to:
    a denial negates the bad news that follows it.
    """
    found: dict[str, Hit[Label]] = {}
    for cue in cues:
        found.setdefault(cue.label[1], cue)
        if cue.label[1] == "successor":  # "replaced by X": X holds, what came before ended
            found.setdefault("continuing" if cue.end <= trigger.start else "ended", cue)
    negation, denied = found.get("negation"), found.get("denied")
    if "exception" in found and ("ended" in found or "denied" in found):
        return rule.default, len(STATUS_ORDER)  # an ending with a carve-out: still in force
    # A denial of bad news, or a negated ending, leaves things as they were:
    # "denied a report that it had lost…", "has not lost", « a démenti vouloir céder ».
    if (denied and any(c.start > denied.start for c in bad_news)) or (
        negation and found.get("ended") and 0 <= found["ended"].start - negation.end <= 25
    ):
        return rule.default, len(STATUS_ORDER)
    if negation and not found.get("ended") and not denied:
        return None, 0
    for rank, status in enumerate(STATUS_ORDER):
        if status in found:
            status = {"continuing": rule.in_force}.get(status, status)
            # "signed a deal; deliveries start in 2027": signed for the future is planned
            return ("planned" if future and status == "active" else status), len(STATUS_ORDER) - rank
    if future:  # "starting in 2027", « à partir de 2026 »: not under way yet
        return "planned", 1
    return rule.default, 0


def _has_future_start(job: ClauseJob, start: int, end: int) -> bool:
    published = job.sentence.published
    if published is None:
        return False
    today = published.isoformat()
    return any(
        v.kind in ("since", "date") and str(v.value) > today[: len(str(v.value))]
        for v in job.sentence.values
        if start <= v.start < end
    )


def _values(job: ClauseJob, start: int, end: int) -> dict[str, Any]:
    s, rule = job.sentence, job.rule
    folded_cues = s.cues(rule.facet)
    previous_ends = [h.end for h in folded_cues if h.label[1] == "previous"]
    total_ends = [h.end for h in folded_cues if h.label[1] == "total"]
    chosen: dict[str, Value] = {}
    for value in s.values:
        if not (start <= value.start < end) or value.kind not in rule.values:
            continue
        if any(0 <= value.start - e <= 3 for e in previous_ends):
            continue  # "up from $10 billion": the old figure
        best = chosen.get(value.kind)
        if best is None or (value.kind == "amount_usd" and _better_amount(value, best, total_ends)):
            chosen[value.kind] = value
    out: dict[str, Any] = {kind: v.value for kind, v in chosen.items()}
    names = _names(job, start, end)
    if names:
        out["names"] = names
    return out


def _better_amount(value: Value, best: Value, total_ends: list[int]) -> bool:
    """Prefer the amount a "total" cue announces, else the larger one (the deal, not an instalment)."""

    def is_total(v: Value) -> bool:
        return any(0 <= v.start - e <= 20 for e in total_ends)

    if is_total(value) != is_total(best):
        return is_total(value)
    return float(value.value) > float(best.value)


def _names(job: ClauseJob, start: int, end: int) -> list[str]:
    rule, s = job.rule, job.sentence
    text = s.sentence.text[start:end]
    names = [m.group(m.lastindex or 0) for pattern in rule.name_patterns for m in pattern.finditer(text)]
    if rule.name_entities:
        for hit in s.hits:
            if (
                hit.label[0] == "entity"
                and start <= hit.start < end
                and hit.label[1] in job.entities
                and hit.label[1] != rule.key
            ):
                names.append(job.entities[hit.label[1]].name)
    return sorted(set(names), key=names.index)


def _when(job: ClauseJob, start: int, end: int, *, present: bool) -> tuple[str, bool]:
    """The claim's date and whether the text gave it (see the engine's step 7)."""
    s = job.sentence
    published = s.published.isoformat() if s.published else ""
    in_clause = [v for v in s.values if start <= v.start < end]
    if present or (any(v.kind == "now" for v in in_clause) and s.speaks_of_now(start, end)):
        return published, False
    # A clause without a date of its own shares its sentence's ("…, which rents Nvidia GPUs, first
    # signed in March": the relative clause is dated March too), then its paragraph's.
    past = past_dates(in_clause, s.published) or past_dates(s.values, s.published)
    if past:
        return max(past), True
    inherited = job.inherited_date()
    if inherited:
        return inherited, True
    return published, False


def past_dates(values: list[Value], published: dt.date | None) -> list[str]:
    """ISO dates among `values` that are not after `published` (at their own precision)."""
    limit = published.isoformat() if published else "9999-12-31"
    return [
        str(v.value) for v in values if v.kind in TIME_KINDS and v.value and str(v.value) <= limit[: len(str(v.value))]
    ]


def _phrases(cues: list[Hit[Label]]) -> list[str]:
    return [f"{h.label[1]}:{h.phrase}" for h in cues]
