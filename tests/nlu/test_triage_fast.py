"""Triage's speed-ups must not change what it finds: patterns rewritten by nlu/triage/fast.py
match what they were written as, and a sign is skipped only when it could not have matched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from nlu.triage.engine import Letters, may_match
from nlu.triage.fast import fast, literal_heads
from nlu.triage.table import load_table
from nlu.triage.text import prepare

TEXTS = [
    "压得我喘不过气",
    "压到我都喘不上气了，气得我心口疼",
    "压力大得喘不过气",
    "我爸胸口压着疼，出了一身冷汗",
    "what is a stroke and how to prevent chest pain",
    "crushing chest pain, can't breathe",
    "cant breathe can not breathe cannot",
    "ac bc c abc",
    "血压150/95 血流得好多 血一直在流",
]
PATTERNS = [
    r"压(?:得|到)(?:我)?(?:都)?喘不.气",
    r"(?:压|气)(?:得|到)(?:我)?(?:心口|胸口)?疼",
    r"压力[^,，]{0,4}喘不.气|压(?:得|到)我",
    r"\b(?:chest|crushing) (?:pain|chest)",
    r"\bcan'?t breathe|\bcannot breathe|\bcan not breathe",
    r"(?:a|b)?c",
    r"血(?:一直|还)?(?:在)?(?:流|冒)|血流得(?:好多|很多)",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_fast_pattern_finds_what_it_was_written_as(pattern: str) -> None:
    plain, rewritten = re.compile(pattern), fast(pattern)
    for text in TEXTS:
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in rewritten.finditer(text)] == expected, (pattern, text)


def test_literal_heads_are_the_options_plain_beginnings() -> None:
    pattern = r"\b(?:chest|crushing) pain|\bcan'?t breathe|\bb\.p\.|\bha?y"
    heads, short = literal_heads(pattern, 3)
    assert heads == {"che", "cru", "can"}
    assert short == {"b", "h"}  # b\.p\. and ha?y: one plain letter before an escape or a "?"


def _development_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((Path(__file__).parent / "triage_blind").glob("development*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [item["text"] for item in data["emergencies"] + data["calm"]]
    return texts[::7]  # every seventh: both languages, every category, quick


def test_a_sign_is_skipped_only_when_it_cannot_match() -> None:
    table = load_table()
    skipped = 0
    for text in _development_texts():
        views = prepare(text, table.mend)
        letters = Letters.of(views)
        for category in table.categories:
            for sign in category.signs:
                if may_match(sign, letters):
                    continue
                skipped += 1
                view = views.spaced if sign.english else views.compact
                assert sign.pattern.search(view) is None, (category.id, text)
    assert skipped > 1000  # the check does skip most signs of most messages
