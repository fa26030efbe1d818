"""Static checks of the Rasa training data (no Rasa needed): shape, entities, synonyms, triage."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from nlu.intents import Intent
from nlu.triage import assess
from tests.nlu.configured import THRESHOLDS

RASA_DIR = Path(__file__).resolve().parents[2] / "nlu" / "rasa"
INTENTS = tuple(Intent)
ENTITIES = {"time", "drug", "package", "doctor", "systolic", "diastolic", "glucose", "relation"}
PACKAGE_IDS = {
    "basic", "elderly", "hypertension", "diabetes", "maternal", "child", "disability", "tcm",
    "home_care", "rehabilitation",
}  # fmt: skip
RELATION_IDS = {"mother", "father", "spouse", "son", "daughter", "grandchild"}
_ANNOTATION = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _items(name: str) -> list[dict[str, str]]:
    return yaml.safe_load((RASA_DIR / "data" / name).read_text(encoding="utf-8"))["nlu"]


def _examples(block: str) -> list[str]:
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def _plain(example: str) -> str:
    return _ANNOTATION.sub(r"\1", example)


NLU = {item["intent"]: _examples(item["examples"]) for item in _items("nlu.yml")}


def test_every_intent_is_present_once_in_order() -> None:
    assert tuple(NLU) == INTENTS


@pytest.mark.parametrize("intent", INTENTS)
def test_intent_has_enough_examples_without_swamping_the_others(intent: str) -> None:
    # 25+ is the floor. The classifier weighs each intent by the inverse of its size
    # (class_weight="balanced"), yet a far larger intent still pulls its neighbours' words
    # towards it. out_of_scope covers everything the service is not, so it may be wider.
    smallest = min(len(examples) for examples in NLU.values())
    widest = 4 if intent == "out_of_scope" else 2
    assert 25 <= len(NLU[intent]) <= widest * smallest


def test_english_is_a_tenth_to_a_quarter_of_the_examples() -> None:
    examples = [e for examples in NLU.values() for e in examples]
    english = [e for e in examples if not re.search(r"[\u4e00-\u9fff]", e)]
    assert 0.10 <= len(english) / len(examples) <= 0.25


def test_no_example_is_given_two_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, examples in NLU.items():
        for example in examples:
            owners[_plain(example).strip().lower()].add(intent)
    clashes = {text: sorted(intents) for text, intents in owners.items() if len(intents) > 1}
    assert not clashes


def test_only_known_entities_are_annotated() -> None:
    used = Counter(
        name for examples in NLU.values() for e in examples for _, name in _ANNOTATION.findall(e)
    )
    assert set(used) == ENTITIES


def test_synonyms_map_to_the_bot_ids() -> None:
    targets = {item["synonym"] for item in _items("synonyms.yml")}
    assert targets == PACKAGE_IDS | RELATION_IDS


# Regexes that only feed RegexFeaturizer: not entities, so nothing extracts them.
FEATURE_ONLY_REGEXES = {"everyday_topic", "service_topic"}


def test_lookup_and_regex_names_are_entities() -> None:
    names = {item["lookup"] for item in _items("lookup.yml")}
    names |= {item["regex"] for item in _items("regex.yml")} - FEATURE_ONLY_REGEXES
    assert names <= ENTITIES
    drugs = _examples(next(i for i in _items("lookup.yml") if i["lookup"] == "drug")["examples"])
    assert len(drugs) >= 40
    for item in _items("regex.yml"):
        for pattern in _examples(item["examples"]):
            re.compile(pattern)


def test_jieba_dictionary_lines_are_word_freq_tag() -> None:
    lines = (RASA_DIR / "dict" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        word, freq, tag = line.split(" ")
        assert word and freq.isdigit() and tag
    # JiebaTokenizer loads every file in the folder as a dictionary: keep it to that one.
    assert [p.name for p in (RASA_DIR / "dict").iterdir()] == ["userdict.txt"]


def test_triage_stays_quiet_on_every_non_emergency_example() -> None:
    alarms = [
        (intent, _plain(example), assess(_plain(example), THRESHOLDS).categories)
        for intent, examples in NLU.items()
        if intent != "emergency"
        for example in examples
        if assess(_plain(example), THRESHOLDS).red_flag
    ]
    assert not alarms


def test_triage_catches_nearly_every_emergency_example() -> None:
    # A bare "急救" or "emergency" is left to the NLU intent; the rest must raise a flag.
    missed = [e for e in map(_plain, NLU["emergency"]) if not assess(e, THRESHOLDS).red_flag]
    assert len(missed) <= 2, missed
