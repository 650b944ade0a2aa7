# SPDX-License-Identifier: MIT
"""Load and check the rule set: vocabularies and one TOML file per facet.

Everything is checked at load: an unknown key, a missing one, a wrong type, a
phrase that does not compile or a facet id that does not match its file name
raises `RuleError` with a one-line message naming the file and the key:

    rules/facets/azure.rofr.toml: key 'trigers': unknown key (allowed: also, context, …)

A facet file (see rules/README.md for the full reference):

    facet = "azure.rofr"               # must equal the file name
    label = "Microsoft's right of first refusal on OpenAI compute"
    key = "microsoft"                  # a fixed key, or:
    # key_class = "provider"           # the key is an entity of that class in the clause
    in_force = "held"                  # held | active: the status of a plain statement
    requires = ["microsoft|azure", "openai"]
    triggers = ["right of first refusal", "droit de preemption"]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rules import lemmas
from rules.errors import RuleError
from rules.model import STATUSES, VALUE_NAMES
from rules.phrases import Lexicon
from rules.tomlfile import read_toml

RULES_DIR = Path(__file__).parent
CUE_CLASSES = (
    "denied",
    "cancelled",
    "ended",
    "continuing",
    "planned",
    "active",
    "successor",
    "setback",
    "exception",
    "contrast",
    "conditional",
    "negation",
    "neutral",
    "hedge",
    "hypothetical",
    "history",
    "gloss",
    "now",
    "previous",
    "total",
)
# What part a party plays in a clause (vocab/roles.toml): the words; the grammar around them is clause.py's.
ROLE_CLASSES = (
    "deal", "buying", "epithet", "start_up", "totals", "description", "making", "built_on", "elsewhere", "staff",
    "holding", "building_for", "investing", "ordering",
)  # fmt: skip
KEY_CLASSES = ("provider", "model_maker")
# Roles an entity may have besides the key classes: a chip maker's chips may run in the data centres of a
# cloud (a party that hosts compute), which is then the provider; a venture's figures, set beside its
# name, are not its members' deals.
ENTITY_CLASSES = (*KEY_CLASSES, "chip_maker", "cloud", "lab", "venture")

# A lexicon label: ("entity", id) | ("cue", class, facet or "") | ("trigger", facet)
# | ("also", facet, group) | ("exclude", facet)
Label = tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    classes: frozenset[str]
    aliases: tuple[str, ...] = ()
    people: frozenset[str] = frozenset()  # the aliases that are its people ("jensen huang"): they speak for it


@dataclass(frozen=True)
class FacetRule:
    """One facet's rule, as read from its file (see the module docstring)."""

    facet: str
    file: str
    label: str
    in_force: str
    default: str
    key: str | None
    key_class: str | None
    requires: tuple[frozenset[str], ...]
    rivals: frozenset[str]
    context: dict[str, int]
    values: frozenset[str]
    name_patterns: tuple[re.Pattern[str], ...]
    name_entities: bool
    also_groups: int
    require_value: frozenset[str] = frozenset()
    # the values kept when the subject is only in the sentences before (all when empty)
    context_values: frozenset[str] = frozenset()
    description: str = ""
    subject: str = "first"  # who a trigger is about: the clause's first party, or the nearest before it
    places_are_rivals: bool = False  # a place as the trigger's object ("invest in the UK") is another object


@dataclass
class RuleSet:
    """The loaded rules: entities, facet rules, and two lexicons that find their phrases.

    `lexicon` holds what decides whether a sentence is worth reading (entities and
    triggers); `cue_lexicon` the rest (cues, `also`, `exclude`), scanned only then;
    `role_lexicon` the words of a party's role (vocab/roles.toml), scanned when a clause asks.
    """

    entities: dict[str, Entity]
    facets: dict[str, FacetRule]
    lexicon: Lexicon[Label] = field(repr=False)
    cue_lexicon: Lexicon[Label] = field(repr=False)
    role_lexicon: Lexicon[Label] = field(default_factory=Lexicon, repr=False)
    # Every French verb's conditional (« dépasserait »): a hedge and a conditional cue (rules.lemmas).
    conditionals: frozenset[str] = field(default=frozenset(), repr=False)
    _anchors: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False)

    def anchor_words(self, label: tuple[str, ...]) -> frozenset[str]:
        """The words that index the phrases of a role (("role", "start_up")) or of a cue class (("cue",
        "denied")), once: a sentence whose words hold none of them holds none of those phrases (a
        stem's anchor is a prefix, so a phrase with a stem needs a prefix test)."""
        if label not in self._anchors:
            if label[0] == "role":
                words = self.role_lexicon.anchors_of([label])
            else:
                words = self.cue_lexicon.anchors_of([(*label, facet) for facet in ("", *self.facets)])
            self._anchors[label] = frozenset(words)
        return self._anchors[label]


_FACET_KEYS: dict[str, type | tuple[type, ...]] = {
    "facet": str,
    "label": str,
    "description": str,
    "in_force": str,
    "default": str,
    "key": str,
    "key_class": str,
    "requires": list,
    "rivals": list,
    "places_are_rivals": bool,
    "subject": str,
    "context": dict,
    "triggers": list,
    "entity_triggers": list,
    "also": list,
    "exclude": list,
    "values": list,
    "require_value": list,
    "context_values": list,
    "names": list,
    "name_entities": bool,
    "cues": dict,
}
_FACET_REQUIRED = ("facet", "label", "in_force", "requires", "triggers")


def load_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    """Load `vocab/*.toml` and `facets/*.toml` under `rules_dir`, checking every key."""
    lexicon: Lexicon[Label] = Lexicon()
    cue_lexicon: Lexicon[Label] = Lexicon()
    entities = _load_entities(rules_dir / "vocab" / "entities.toml", lexicon)
    _load_cues(rules_dir / "vocab" / "cues.toml", cue_lexicon, facet="")
    facets: dict[str, FacetRule] = {}
    files = sorted((rules_dir / "facets").glob("*.toml"))
    if not files:
        raise RuleError(f"{rules_dir / 'facets'}: no facet rule files")
    for path in files:
        rule = _load_facet(path, entities, lexicon, cue_lexicon)
        facets[rule.facet] = rule
    _add_french_futures(rules_dir, cue_lexicon)
    roles = _load_roles(rules_dir / "vocab" / "roles.toml")
    return RuleSet(entities, facets, lexicon, cue_lexicon, roles, lemmas.conditional_forms())


def _add_french_futures(rules_dir: Path, cue_lexicon: Lexicon[Label]) -> None:
    """The French simple future of every verb the rules name by lemma is a `planned` cue, as "will" is:
    « OpenAI louera des capacités à Oracle », « Gemini arrivera dans Copilot ». A cue of a stronger class
    on the same word still wins (« perdra » ends, « restera » continues)."""
    where = f"{rules_dir}: the French future of a lemma"
    for lemma in sorted(lemmas.used_lemmas(rules_dir)):
        for form in lemmas.french_futures(lemma):
            cue_lexicon.add(form, ("cue", "planned", ""), where=where)
        # Its conditional reports what is said, not what is (« OpenAI produirait sa puce en série »,
        # « Microsoft détiendrait 27 % »): a hedge, as "reportedly" is; and a supposition goes on in it.
        for form in set(lemmas.french_conditionals(lemma)) - lemmas.conditional_forms():  # the rest: scan.py
            cue_lexicon.add(form, ("cue", "hedge", ""), where=where)
            cue_lexicon.add(form, ("cue", "conditional", ""), where=where)


def _load_entities(path: Path, lexicon: Lexicon[Label]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for entity_id, table in read_toml(path, error=RuleError, what="rule file").items():
        where = f"{path}: entity '{entity_id}'"
        _check_keys(
            table,
            {"aliases": list, "classes": list, "name": str, "metaphors": list, "people": list},
            where,
            required=("aliases",),
        )
        classes = frozenset(_strings(table.get("classes", []), where + " key 'classes'"))
        if bad := classes - set(ENTITY_CLASSES):
            raise RuleError(
                f"{where} key 'classes': unknown class {sorted(bad)[0]!r} (allowed: {', '.join(ENTITY_CLASSES)})"
            )
        aliases = tuple(_strings(table["aliases"], where + " key 'aliases'"))
        people = tuple(_strings(table.get("people", []), where + " key 'people'"))
        for alias in aliases:
            lexicon.add(alias, ("entity", entity_id), where=where + " key 'aliases'")
        for person in people:  # a person names the company too
            lexicon.add(person, ("entity", entity_id), where=where + " key 'people'")
        # the name used for something else ("un Stargate alsacien", "not Stargate"): no mention of the party
        for phrase in _strings(table.get("metaphors", []), where + " key 'metaphors'"):
            lexicon.add(phrase, ("metaphor", entity_id), where=where + " key 'metaphors'")
        name = table.get("name", _display(entity_id))
        entities[entity_id] = Entity(entity_id, name, classes, aliases + people, frozenset(people))
    return entities


def _display(entity_id: str) -> str:
    special = {
        "aws": "AWS",
        "amd": "AMD",
        "xai": "xAI",
        "openai": "OpenAI",
        "g42": "G42",
        "coreweave": "CoreWeave",
        "softbank": "SoftBank",
        "deepseek": "DeepSeek",
        "open-source": "open-source models",
    }
    return special.get(entity_id, entity_id.capitalize())


def _load_roles(path: Path) -> Lexicon[Label]:
    """The role words, labelled ("role", class); a rule tree without the file reads no roles."""
    lexicon: Lexicon[Label] = Lexicon()
    if not path.exists():
        return lexicon
    table = read_toml(path, error=RuleError, what="rule file")
    _add_classed(table, lexicon, kind="role", allowed=ROLE_CLASSES, label=lambda r: ("role", r), where=str(path))
    return lexicon


def _load_cues(path: Path, lexicon: Lexicon[Label], *, facet: str) -> None:
    table = read_toml(path, error=RuleError, what="rule file")
    _add_cues(table, lexicon, facet=facet, where=str(path))


def _add_cues(table: dict[str, Any], lexicon: Lexicon[Label], *, facet: str, where: str) -> None:
    _add_classed(table, lexicon, kind="cue class", allowed=CUE_CLASSES, label=lambda c: ("cue", c, facet), where=where)


def _add_classed(
    table: dict[str, Any],
    lexicon: Lexicon[Label],
    *,
    kind: str,
    allowed: tuple[str, ...],
    label: Callable[[str], Label],
    where: str,
) -> None:
    """One table per class of `allowed` ("cue class", "role"), each a list of phrases or `phrases`."""
    for name, body in table.items():
        at = f"{where}: {kind} '{name}'"
        if name not in allowed:
            raise RuleError(f"{at}: unknown (allowed: {', '.join(allowed)})")
        phrases = body.get("phrases") if isinstance(body, dict) else body
        for phrase in _strings(phrases, at):
            lexicon.add(phrase, label(name), where=at)


def _load_facet(
    path: Path, entities: dict[str, Entity], lexicon: Lexicon[Label], cue_lexicon: Lexicon[Label]
) -> FacetRule:
    table = read_toml(path, error=RuleError, what="rule file")
    where = str(path)
    _check_keys(table, _FACET_KEYS, where, required=_FACET_REQUIRED)
    facet = table["facet"]
    if facet != path.stem:
        raise RuleError(f"{where}: key 'facet': {facet!r} does not match the file name {path.stem!r}")
    if ("key" in table) == ("key_class" in table):
        raise RuleError(f"{where}: key 'key': give exactly one of 'key' and 'key_class'")
    if table.get("key_class", "provider") not in KEY_CLASSES:
        raise RuleError(f"{where}: key 'key_class': unknown class {table['key_class']!r}")
    in_force = _status(table, "in_force", where, allowed=("held", "active"))
    requires = tuple(
        _requirement(item, entities, where) for item in _strings(table["requires"], f"{where}: key 'requires'")
    )
    context = _context(table.get("context", {}), entities, where)
    rivals = frozenset().union(
        *(
            _requirement(r, entities, where, key="rivals")
            for r in _strings(table.get("rivals", []), f"{where}: key 'rivals'")
        )
    )
    _add_phrases(lexicon, table["triggers"], ("trigger", facet), f"{where}: key 'triggers'")
    for entity_id in _strings(table.get("entity_triggers", []), f"{where}: key 'entity_triggers'"):
        if entity_id not in entities:
            raise RuleError(f"{where}: key 'entity_triggers': unknown entity {entity_id!r}")
        _add_phrases(lexicon, list(entities[entity_id].aliases), ("trigger", facet), f"{where}: key 'entity_triggers'")
    also = table.get("also", [])
    for group, phrases in enumerate(also):
        _add_phrases(cue_lexicon, phrases, ("also", facet, str(group)), f"{where}: key 'also' group {group + 1}")
    _add_phrases(cue_lexicon, table.get("exclude", []), ("exclude", facet), f"{where}: key 'exclude'")
    _add_cues(table.get("cues", {}), cue_lexicon, facet=facet, where=f"{where}: key 'cues'")
    values = frozenset(_strings(table.get("values", []), f"{where}: key 'values'"))
    if bad := values - VALUE_NAMES:
        raise RuleError(
            f"{where}: key 'values': unknown value {sorted(bad)[0]!r} (allowed: {', '.join(sorted(VALUE_NAMES))})"
        )
    if table.get("subject", "first") not in ("first", "nearest"):
        raise RuleError(f"{where}: key 'subject': {table['subject']!r} is not one of first, nearest")
    return FacetRule(
        facet=facet,
        file=path.name,
        label=table["label"],
        in_force=in_force,
        default=_status(table, "default", where, allowed=tuple(STATUSES)) if "default" in table else in_force,
        key=table.get("key"),
        key_class=table.get("key_class"),
        requires=requires,
        rivals=rivals - requires[0],
        context=context,
        values=values,
        name_patterns=_name_patterns(table.get("names", []), where),
        name_entities=table.get("name_entities", False),
        also_groups=len(also),
        require_value=frozenset(_strings(table.get("require_value", []), f"{where}: key 'require_value'")) & values,
        context_values=frozenset(_strings(table.get("context_values", []), f"{where}: key 'context_values'")) & values,
        description=table.get("description", ""),
        subject=table.get("subject", "first"),
        places_are_rivals=table.get("places_are_rivals", False),
    )


def _check_keys(table: dict[str, Any], allowed: dict[str, Any], where: str, *, required: tuple[str, ...]) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise RuleError(f"{where}: key '{key}': unknown key (allowed: {', '.join(sorted(allowed))})")
        if not isinstance(value, allowed[key]):
            raise RuleError(f"{where}: key '{key}': expected {_type_name(allowed[key])}, got {type(value).__name__}")
    for key in required:
        if key not in table:
            raise RuleError(f"{where}: key '{key}': missing")


_TYPE_NAMES: dict[object, str] = {list: "a list", dict: "a table", str: "a string", bool: "true or false"}


def _type_name(kind: type | tuple[type, ...]) -> str:
    return _TYPE_NAMES.get(kind, str(kind))


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{where}: expected a list of non-empty strings")
    return value


def _status(table: dict[str, Any], key: str, where: str, *, allowed: tuple[str, ...]) -> str:
    status = table[key]
    if status not in allowed:
        raise RuleError(f"{where}: key '{key}': {status!r} is not one of {', '.join(sorted(allowed))}")
    return str(status)


def _requirement(item: str, entities: dict[str, Entity], where: str, *, key: str = "requires") -> frozenset[str]:
    ids = frozenset(part.strip() for part in item.split("|"))
    for entity_id in ids:
        if entity_id not in entities:
            raise RuleError(f"{where}: key '{key}': unknown entity {entity_id!r}")
    return ids


def _context(table: dict[str, Any], entities: dict[str, Entity], where: str) -> dict[str, int]:
    for entity_id, window in table.items():
        if entity_id not in entities:
            raise RuleError(f"{where}: key 'context': unknown entity {entity_id!r}")
        if not isinstance(window, int) or not 0 < window <= 10:
            raise RuleError(f"{where}: key 'context': window for {entity_id!r} must be 1 to 10 sentences")
    return dict(table)


def _add_phrases(lexicon: Lexicon[Label], phrases: Any, label: Label, where: str) -> None:
    for phrase in _strings(phrases, where):
        lexicon.add(phrase, label, where=where)


def _name_patterns(patterns: Any, where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in _strings(patterns, f"{where}: key 'names'"):
        # Names are cut from the original text, so they keep their case; bounded
        # quantifiers only, so that a name pattern cannot backtrack badly.
        if re.search(r"[*+]|\{\d*,\}", pattern):
            raise RuleError(f"{where}: key 'names': use bounded repetition {{m,n}}, not * or +, in {pattern!r}")
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise RuleError(f"{where}: key 'names': bad pattern {pattern!r}: {exc}") from None
    return tuple(compiled)
