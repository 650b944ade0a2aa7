# SPDX-License-Identifier: MIT
"""`=lemma` phrase tokens: every inflection of a verb or noun, from simplemma's EN/FR data."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import RuleError
from rules import lemmas
from rules.loader import load_rules
from rules.phrases import Lexicon, Phrase, Tokens
from rules.text import fold


def _matches(phrase: str, text: str) -> bool:
    return Phrase.compile(phrase).regex.search(fold(text)) is not None


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("=detenir", "Microsoft détiendrait 27 %"),  # conditional
        ("=detenir", "Microsoft détiendra 27 %"),  # future
        ("=detenir", "la part détenue par Microsoft"),  # participle the dictionary lists as an adjective
        ("=controler desormais", "Microsoft contrôle désormais"),  # present the dictionary lists as a noun
        ("s' ~2 =engager a =depenser", "OpenAI s'est engagée à dépenser"),
        ("=agree to =spend", "OpenAI agreed to spend"),
        ("=renoncer", "Microsoft renonce à"),  # a form simplemma leaves as written
        ("=produire ~2 en serie", "OpenAI produit désormais en série"),
        ("=own", "Microsoft will own"),
        ("=walk away with", "Microsoft walks away with"),
        ("=scrap", "the clause was scrapped"),
        ("=contrat", "ses trois contrats"),
        ("(=mettre|=prendre) fin", "l'accord prendrait fin"),
        ("=buy", "OpenAI is buying capacity"),  # a gerund the dictionary lists as a noun
        ("=hold ~3 stake", "Microsoft's holding of a stake"),
    ],
)
def test_a_lemma_matches_its_inflections(phrase: str, text: str) -> None:
    assert _matches(phrase, text)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("=own", "the owner of the company"),  # another word, not an inflection
        ("=detenir", "le détenteur"),
        ("=contrat", "contractuel"),
        ("=lose", "a loser"),
        ("=tap", "the cassette was taped"),  # another word's form ("tape") is not added as a regular form
    ],
)
def test_a_lemma_matches_whole_forms_only(phrase: str, text: str) -> None:
    assert not _matches(phrase, text)


def test_a_lemma_indexes_its_phrase_by_every_form() -> None:
    lexicon: Lexicon[str] = Lexicon()
    lexicon.add("=detenir", "holding", where="test")
    assert [h.label for h in lexicon.find(Tokens(fold("Microsoft détiendrait 27 %")))] == ["holding"]
    assert lexicon.find(Tokens(fold("Microsoft a 27 %"))) == []


def _rules_with_ended_cue(tmp_path: Path, phrase: str) -> Path:
    """A minimal rule tree (one entity, one facet) whose only cue is `phrase`, of class `ended`."""
    rules = tmp_path / "rules"
    (rules / "vocab").mkdir(parents=True)
    (rules / "facets").mkdir()
    (rules / "vocab" / "entities.toml").write_text('[openai]\naliases = ["openai"]\n', encoding="utf-8")
    (rules / "vocab" / "cues.toml").write_text(f'[ended]\nphrases = ["{phrase}"]\n', encoding="utf-8")
    (rules / "facets" / "x.toml").write_text(
        'facet = "x"\nlabel = "x"\nkey = "openai"\nin_force = "held"\nrequires = ["openai"]\ntriggers = ["x"]\n',
        encoding="utf-8",
    )
    return rules


def test_an_unknown_lemma_is_refused_naming_the_file(tmp_path: Path) -> None:
    rules = _rules_with_ended_cue(tmp_path, "=zzqxv")
    with pytest.raises(RuleError, match=r"cues\.toml: cue class 'ended': '=zzqxv'.*no word has that lemma"):
        load_rules(rules)


def test_a_lemma_on_a_pronoun_is_refused(tmp_path: Path) -> None:
    """ "=se retirer" would inflect « se » and match the verb only as an infinitive."""
    rules = _rules_with_ended_cue(tmp_path, "=se retirer")
    with pytest.raises(RuleError, match=r"cues\.toml: cue class 'ended': '=se'.*put '=' on the verb"):
        load_rules(rules)


def test_a_reflexive_verb_matches_its_inflections() -> None:
    assert _matches("(se|s'est) =retirer de", "Microsoft se retirera de Stargate")
    assert _matches("(se|s'est) =retirer de", "Microsoft s'est retiré de Stargate")


def test_the_cached_forms_are_simplemma_s() -> None:
    """vocab/lemmas.json holds exactly the lemmas the rules name, with the forms simplemma gives today:
    after a rule names a new lemma or simplemma changes, `python -m rules.lemmas` rewrites it."""
    cached = lemmas._cached()
    assert set(cached) == lemmas.used_lemmas(), "run `python -m rules.lemmas`"
    stale = [lemma for lemma, forms in cached.items() if tuple(forms) != lemmas.compute(lemma)]
    assert not stale, f"run `python -m rules.lemmas`: {stale[:5]}"


def test_the_rules_load_without_simplemma_s_dictionaries() -> None:
    """Every lemma the rules name is in the cache: loading them decodes no dictionary (0.4 s)."""
    assert all(lemma in lemmas._cached() for lemma in lemmas.used_lemmas())


@pytest.mark.parametrize(
    ("lemma", "future", "not_future"),
    [
        ("louer", "louera", "loua"),
        ("detenir", "detiendra", "detient"),
        ("prendre", "prendront", "prend"),
        ("perdre", "perdra", "perdrait"),  # the conditional is no future
    ],
)
def test_french_futures(lemma: str, future: str, not_future: str) -> None:
    assert future in lemmas.french_futures(lemma)
    assert not_future not in lemmas.french_futures(lemma)


def test_english_lemmas_have_no_french_future() -> None:
    assert lemmas.french_futures("offer") == lemmas.french_futures("own") == ()


def test_a_french_future_of_a_named_verb_is_a_plan() -> None:
    rules = load_rules()
    hits = rules.cue_lexicon.find(Tokens(fold("Gemini arrivera dans Copilot")))
    assert ("cue", "planned", "") in [h.label for h in hits]


def test_the_cached_conditionals_are_simplemma_s() -> None:
    """vocab/lemmas.json holds the French conditional of every verb simplemma knows."""
    assert lemmas._cached_conditionals() == lemmas.all_french_conditionals(), "run `python -m rules.lemmas`"


@pytest.mark.parametrize("word", ["depasserait", "louerait", "detiendraient", "proviendrait", "courrait", "serait"])
def test_a_french_conditional_is_known(word: str) -> None:
    assert word in lemmas.conditional_forms()


@pytest.mark.parametrize("word", ["operait", "declarait", "retirait", "ouvrait", "courait", "portrait", "retrait"])
def test_an_imperfect_or_a_noun_is_no_conditional(word: str) -> None:
    assert word not in lemmas.conditional_forms()
