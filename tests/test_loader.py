# SPDX-License-Identifier: MIT
"""The loader refuses every broken rule file with one line naming the file and the key.

Each case under tests/loader/ is a broken version of facets/azure.rofr.toml; its
first line says what the error must contain (`# expect: …`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.errors import RuleError
from rules.loader import RULES_DIR, load_rules
from rules.phrases import Tokens
from rules.text import fold

CASES = sorted((Path(__file__).parent / "loader").glob("*.toml"))


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR / "vocab", target / "vocab")
    shutil.copytree(RULES_DIR / "facets", target / "facets")
    return target


def test_the_shipped_rules_load() -> None:
    rules = load_rules()
    assert len(rules.facets) >= 14
    assert len(rules.lexicon) + len(rules.cue_lexicon) > 500


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_a_broken_rule_file_is_refused(case: Path, rules_copy: Path) -> None:
    text = case.read_text(encoding="utf-8")
    expected = text.splitlines()[0].removeprefix("# expect:").strip()
    (rules_copy / "facets" / "azure.rofr.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(rules_copy)
    message = str(caught.value)
    assert "\n" not in message
    assert "azure.rofr.toml" in message
    assert expected in message


def test_a_broken_vocabulary_names_the_file_and_entity(rules_copy: Path) -> None:
    entities = rules_copy / "vocab" / "entities.toml"
    entities.write_text(entities.read_text(encoding="utf-8") + '\n[bogus]\naliases = ["x"]\nkind = "y"\n')
    with pytest.raises(RuleError, match=r"entities\.toml: entity 'bogus': key 'kind': unknown key"):
        load_rules(rules_copy)


def test_a_missing_facet_directory_is_refused(tmp_path: Path) -> None:
    shutil.copytree(RULES_DIR / "vocab", tmp_path / "vocab")
    (tmp_path / "facets").mkdir()
    with pytest.raises(RuleError, match="no facet rule files"):
        load_rules(tmp_path)


def test_an_unknown_role_is_refused_naming_the_file(rules_copy: Path) -> None:
    roles = rules_copy / "vocab" / "roles.toml"
    roles.write_text(roles.read_text(encoding="utf-8") + '\n[seller]\nphrases = ["sells"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"roles\.toml: role 'seller': unknown \(allowed: deal, buying"):
        load_rules(rules_copy)


def test_the_role_words_are_found_where_a_clause_asks() -> None:
    rules = load_rules()
    found = rules.role_lexicon.find(Tokens(fold("Nvidia a racheté les capacités; la jeune pousse a signé")))
    assert [(h.label[1], h.phrase) for h in found] == [("buying", "=racheter"), ("start_up", "jeune pousse")]
