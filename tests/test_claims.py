"""Data-driven claim-extraction cases, one TOML file per facet under tests/claims/.

Each ``[[case]]`` holds one to three sentences of news prose and exactly one of:

* ``expect``    -- some extracted claim has this facet, key and status (and ``hedged`` when given),
  every listed value matches, and none of the values listed in ``without`` is given;
* ``absent``    -- no claim of this facet (and key, when given) is extracted;
* ``no_change`` -- claims may be extracted, but the diff against the seed baseline flags no change
  of this facet (and key, when given);
* ``change``    -- the diff against the seed baseline flags a change of this facet (and key, and
  ``kind``: new, changed, reversed, when given): news, not history or a restatement.

A case may give its page's ``title`` (the headline), read as the page's title is.

The cases are written from docs/spec (FACETS.md), independently of the rules: they are the held-out
check that the rules generalise.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import math
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAIMS_DIR = Path(__file__).resolve().parent / "claims"

FACETS = (
    "azure.exclusivity",
    "azure.rofr",
    "azure.api_exclusivity",
    "azure.commitment",
    "microsoft.ip_rights",
    "microsoft.stake",
    "openai.compute_provider",
    "stargate",
    "openai.chip",
    "microsoft.chip",
    "microsoft.model",
    "microsoft.model_partner",
    "openai.revenue",
    "relationship.rivalry",
)
STATUSES = {"held", "ended", "active", "planned", "denied"}
LANGS = {"en", "fr"}
KINDS = ("expect", "absent", "no_change", "change")
CASE_FIELDS = {"id", "lang", "published", "title", "text", "why", *KINDS}
AMOUNT_VALUES = {"amount_usd"}
NUMBER_VALUES = {"share_pct", "capacity_gw", "units", "rank", "duration_years"}
DATE_VALUES = {"until", "since"}
NAME_VALUES = {"names"}
VALUE_NAMES = AMOUNT_VALUES | NUMBER_VALUES | DATE_VALUES | NAME_VALUES
AMOUNT_TOLERANCE = 0.02
NUMBER_TOLERANCE = 1e-6
# Cases are news published after the seed baseline (the last seed is dated 2025-09-11).
PUBLISHED_MIN = dt.date(2025, 10, 1)
PUBLISHED_MAX = dt.date(2026, 10, 31)
MIN_CASES_PER_FACET = 7
MIN_POSITIVE_PER_LANG = 2
MIN_NEAR_MISSES = 3


# --------------------------------------------------------------------------- loading the cases


def _load_case_files() -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every ``tests/claims/*.toml``: {file stem: cases}, and {file name: load error}."""
    files: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, str] = {}
    for path in sorted(CLAIMS_DIR.glob("*.toml")):
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            errors[path.name] = f"cannot load: {exc}"
            continue
        cases = data.get("case", [])
        if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
            errors[path.name] = "'case' must be an array of tables ([[case]])"
            continue
        extra = set(data) - {"case"}
        if extra:
            errors[path.name] = f"unexpected top-level keys {sorted(extra)}"
        files[path.stem] = cases
    return files, errors


CASE_FILES, LOAD_ERRORS = _load_case_files()


def _kind(case: Mapping[str, Any]) -> str | None:
    kinds = [k for k in KINDS if k in case]
    return kinds[0] if len(kinds) == 1 else None


def _params(kind: str) -> list[Any]:
    params = []
    for stem, cases in CASE_FILES.items():
        for n, case in enumerate(cases):
            if _kind(case) != kind:
                continue
            case_id = str(case.get("id") or f"{stem}-{n}")
            params.append(pytest.param(case, id=case_id))
    return params


# --------------------------------------------------------------------------- engine access


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        # The project is not necessarily installed into the venv: fall back to the checkout.
        if exc.name and exc.name.split(".")[0] in {"rules", "monitor", "storage", "seeds"}:
            if str(ROOT) not in sys.path:
                sys.path.insert(0, str(ROOT))
            return importlib.import_module(module)
        raise


@pytest.fixture(scope="module")
def engine() -> Any:
    return _import("rules.engine").Engine.load()


@pytest.fixture(scope="module")
def baseline(engine: Any) -> Any:
    return _import("monitor.judging.baseline").build_baseline(engine)


def _fresh_state(state: Any, engine: Any) -> Any:
    """A copy of the baseline, so that a diff that records changes cannot leak between cases."""
    try:
        return copy.deepcopy(state)
    except Exception:  # an uncopyable state: rebuild it instead
        return _import("monitor.judging.baseline").build_baseline(engine)


def _extract(engine: Any, case: Mapping[str, Any]) -> Any:
    return engine.extract(case["text"], published=case["published"], title=case.get("title", ""), lang=case["lang"])


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _claims(result: Any) -> list[Any]:
    return list(_get(result, "claims", None) or [])


def _values(claim: Any) -> Mapping[str, Any]:
    values = _get(claim, "values", None)
    return values if isinstance(values, Mapping) else {}


def _describe_claims(claims: Iterable[Any]) -> str:
    lines = []
    for c in claims:
        hedged = " hedged" if _get(c, "hedged", False) else ""
        lines.append(
            f"  {_get(c, 'facet')}/{_get(c, 'key')} {_get(c, 'status')}{hedged} "
            f"values={dict(_values(c))!r} when={_get(c, 'when')!r}\n"
            f"      evidence: {_get(c, 'evidence')!r}"
        )
    return "\n".join(lines) if lines else "  (no claims)"


def _describe_changes(changes: Iterable[Any]) -> str:
    lines = [f"  {_get(ch, 'kind')}: {_get(ch, 'facet')}/{_get(ch, 'key')}" for ch in changes]
    return "\n".join(lines) if lines else "  (no changes)"


# --------------------------------------------------------------------------- value matching


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _norm_name(name: Any) -> str:
    return " ".join(str(name).split()).casefold()


def _value_matches(name: str, want: Any, got: Any) -> bool:
    if got is None:
        return False
    if name in NAME_VALUES:
        got_names = [got] if isinstance(got, str) else list(got) if isinstance(got, Iterable) else [got]
        have = {_norm_name(g) for g in got_names}
        return all(_norm_name(w) in have for w in want)
    if name in DATE_VALUES:
        text = got.isoformat() if isinstance(got, dt.date) else str(got)
        want_text = str(want)
        return text == want_text or text.startswith(want_text + "-")
    number = _as_float(got)
    if number is None:
        return False
    if name in AMOUNT_VALUES:
        return abs(number - float(want)) <= AMOUNT_TOLERANCE * abs(float(want))
    return math.isclose(number, float(want), rel_tol=0.0, abs_tol=NUMBER_TOLERANCE)


def _claim_matches(claim: Any, expect: Mapping[str, Any]) -> bool:
    if _get(claim, "facet") != expect["facet"] or _get(claim, "key") != expect["key"]:
        return False
    if _get(claim, "status") != expect["status"]:
        return False
    if "hedged" in expect and bool(_get(claim, "hedged", False)) != expect["hedged"]:
        return False
    values = _values(claim)
    if any(values.get(name) is not None for name in expect.get("without", [])):
        return False
    return all(_value_matches(name, want, values.get(name)) for name, want in expect.get("values", {}).items())


def _selects(obj: Any, target: Mapping[str, Any]) -> bool:
    if _get(obj, "facet") != target["facet"]:
        return False
    return "key" not in target or _get(obj, "key") == target["key"]


# --------------------------------------------------------------------------- the cases


@pytest.mark.parametrize("case", _params("expect"))
def test_expect(engine: Any, case: dict[str, Any]) -> None:
    expect = case["expect"]
    claims = _claims(_extract(engine, case))
    if not any(_claim_matches(c, expect) for c in claims):
        _fail(case, f"expected a claim {expect!r}", {"claims found": _describe_claims(claims)})


@pytest.mark.parametrize("case", _params("absent"))
def test_absent(engine: Any, case: dict[str, Any]) -> None:
    target = case["absent"]
    claims = _claims(_extract(engine, case))
    wrong = [c for c in claims if _selects(c, target)]
    if wrong:
        _fail(
            case,
            f"expected no claim of {target!r}",
            {"offending claims": _describe_claims(wrong), "all claims found": _describe_claims(claims)},
        )


@pytest.mark.parametrize("case", _params("no_change"))
def test_no_change(engine: Any, baseline: Any, case: dict[str, Any]) -> None:
    target = case["no_change"]
    diff = _import("monitor.judging.diff").diff
    claims = _claims(_extract(engine, case))
    changes = list(diff(claims, _fresh_state(baseline, engine)) or [])
    wrong = [ch for ch in changes if _selects(ch, target)]
    if wrong:
        _fail(
            case,
            f"expected no change of {target!r}",
            {"offending changes": _describe_changes(wrong), "claims found": _describe_claims(claims)},
        )


@pytest.mark.parametrize("case", _params("change"))
def test_change(engine: Any, baseline: Any, case: dict[str, Any]) -> None:
    target = case["change"]
    diff = _import("monitor.judging.diff").diff
    claims = _claims(_extract(engine, case))
    changes = list(diff(claims, _fresh_state(baseline, engine)) or [])
    if not any(_selects(ch, target) and _get(ch, "kind") == target.get("kind", _get(ch, "kind")) for ch in changes):
        _fail(
            case,
            f"expected a change {target!r}",
            {"changes found": _describe_changes(changes), "claims found": _describe_claims(claims)},
        )


def _fail(case: dict[str, Any], headline: str, sections: dict[str, str]) -> None:
    """Fail with what a rule author needs: the case, its text and why, and what the engine found."""
    details = "".join(f"{title}:\n{body}\n" for title, body in sections.items())
    pytest.fail(
        f"[{case['id']}] {headline}\ntext: {case['text']}\nwhy: {case.get('why', '')}\n{details}", pytrace=False
    )


# --------------------------------------------------------------------------- validity of the case files


def _case_problems(stem: str, n: int, case: Mapping[str, Any]) -> list[str]:
    where = f"{stem}.toml case #{n + 1} ({case.get('id', '?')})"
    problems: list[str] = []

    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    extra = set(case) - CASE_FIELDS
    if extra:
        bad(f"unknown fields {sorted(extra)}")
    for field in ("id", "text", "why"):
        if not isinstance(case.get(field), str) or not case[field].strip():
            bad(f"'{field}' must be a non-empty string")
    if case.get("lang") not in LANGS:
        bad(f"lang {case.get('lang')!r} is not one of {sorted(LANGS)}")
    published = case.get("published")
    try:
        day = dt.date.fromisoformat(published) if isinstance(published, str) else None
    except ValueError:
        day = None
    if day is None:
        bad(f"published {published!r} is not an ISO date string")
    elif not PUBLISHED_MIN <= day <= PUBLISHED_MAX:
        bad(f"published {published} is outside {PUBLISHED_MIN}..{PUBLISHED_MAX}")

    kinds = [k for k in KINDS if k in case]
    if len(kinds) != 1:
        bad(f"needs exactly one of {KINDS}, has {kinds}")
        return problems
    kind = kinds[0]
    target = case[kind]
    if not isinstance(target, Mapping):
        bad(f"'{kind}' must be a table")
        return problems
    if target.get("facet") != stem:
        bad(f"facet {target.get('facet')!r} differs from the file name {stem!r}")
    if "key" in target and (not isinstance(target["key"], str) or target["key"] != target["key"].lower()):
        bad(f"key {target['key']!r} must be a lowercase string")

    if kind == "change":
        extra = set(target) - {"facet", "key", "kind"}
        if extra or target.get("kind", "changed") not in ("new", "changed", "reversed"):
            bad("'change' takes facet, key and kind (new, changed or reversed)")
        return problems
    if kind != "expect":
        extra = set(target) - {"facet", "key"}
        if extra:
            bad(f"'{kind}' takes only facet and key, not {sorted(extra)}")
        return problems

    extra = set(target) - {"facet", "key", "status", "hedged", "values", "without"}
    if extra:
        bad(f"unknown fields in expect: {sorted(extra)}")
    without = target.get("without", [])
    if not isinstance(without, list) or not all(name in VALUE_NAMES for name in without):
        bad(f"without must be a list of value names, not {without!r}")
    if "key" not in target:
        bad("expect needs a key")
    if target.get("status") not in STATUSES:
        bad(f"status {target.get('status')!r} is not one of {sorted(STATUSES)}")
    if "hedged" in target and not isinstance(target["hedged"], bool):
        bad("hedged must be true or false")
    values = target.get("values", {})
    if not isinstance(values, Mapping):
        bad("values must be a table")
        return problems
    for name, want in values.items():
        if name not in VALUE_NAMES:
            bad(f"unknown value {name!r}")
        elif name in NAME_VALUES:
            if not isinstance(want, list) or not want or not all(isinstance(w, str) and w for w in want):
                bad(f"{name} must be a non-empty list of strings")
        elif name in DATE_VALUES:
            if not isinstance(want, str) or not want:
                bad(f'{name} must be a string such as "2032"')
        elif _as_float(want) is None:
            bad(f"{name} must be a number")
    return problems


def test_valid_case_files() -> None:
    problems = [f"{name}: {err}" for name, err in LOAD_ERRORS.items()]
    seen: dict[str, str] = {}
    for stem, cases in CASE_FILES.items():
        if stem not in FACETS:
            problems.append(f"{stem}.toml: not one of the fourteen facet ids")
        for n, case in enumerate(cases):
            problems.extend(_case_problems(stem, n, case))
            case_id = case.get("id")
            if isinstance(case_id, str):
                if case_id in seen:
                    problems.append(f"{stem}.toml: id {case_id!r} already used in {seen[case_id]}.toml")
                else:
                    seen[case_id] = stem
    assert not problems, "invalid cases:\n" + "\n".join(problems)


def test_valid_facet_coverage() -> None:
    problems = []
    for facet in FACETS:
        cases = CASE_FILES.get(facet)
        if cases is None:
            problems.append(f"{facet}: tests/claims/{facet}.toml is missing")
            continue
        if len(cases) < MIN_CASES_PER_FACET:
            problems.append(f"{facet}: {len(cases)} cases, need at least {MIN_CASES_PER_FACET}")
        for lang in sorted(LANGS):
            positive = sum(1 for c in cases if _kind(c) == "expect" and c.get("lang") == lang)
            if positive < MIN_POSITIVE_PER_LANG:
                problems.append(f"{facet}: {positive} positive {lang} cases, need {MIN_POSITIVE_PER_LANG}")
        near_misses = sum(1 for c in cases if _kind(c) in ("absent", "no_change"))
        if near_misses < MIN_NEAR_MISSES:
            problems.append(f"{facet}: {near_misses} near-misses, need {MIN_NEAR_MISSES}")
    assert not problems, "facet coverage:\n" + "\n".join(problems)
