"""The category table (categories.yml) and the words it is written in (lexicon.yml), compiled.

A category is a published emergency criterion with its source; its signs are patterns in the
lexicon's words. A sign may need a second pattern near it (`with`, within `within` characters:
a baby's age near a fever), a check on what that found (`check`: the age is under three
months), and be judged where that second pattern is told (`about: with`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nlu.triage.context import Cues
from nlu.triage.fast import fast_with_starts, literal_heads
from nlu.triage.text import Mender

HERE = Path(__file__).parent
_MACRO = re.compile(r"\{([a-z_]+)\}")
_GAP = re.compile(r"\{gap(\d+)\}")
# A gap inside a Chinese sign: a few characters that are not punctuation or a negation.
GAP = r"[^,，。.!！?？;；\n不没无未别]"
HEAD = 3  # letters of an English sign's options checked against the message's word starts

Check = Callable[[re.Match[str], Any], bool]


@dataclass(frozen=True, slots=True)
class Sign:
    pattern: re.Pattern[str]
    starts: frozenset[str]  # the characters a match can start with
    english: bool
    # English: the first HEAD letters of its options, and the first letters of those shorter;
    # a message with none of them at a word start holds no match (engine.Letters)
    heads: frozenset[str] = frozenset()
    short_starts: frozenset[str] = frozenset()
    near: re.Pattern[str] | None = None
    within: int = 80  # characters either side of the match where `near` may be (English: 2x)
    about_near: bool = False  # whether it is happening now is told around the `near` match
    check: str | None = None
    asking_calms: bool = True  # `asking: urgent`: a worried 这正常吗 does not calm it


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    criterion: str
    source: str
    signs: tuple[Sign, ...]


@dataclass(frozen=True, slots=True)
class Table:
    categories: tuple[Category, ...]
    cues: Cues
    mend: Mender
    pregnant: re.Pattern[str]


def _expand(pattern: str, words: dict[str, str]) -> str:
    for _ in range(4):  # words may be written in other words, a few levels deep
        pattern = _MACRO.sub(lambda m: f"(?:{words[m.group(1)]})", pattern)
    pattern = _GAP.sub(lambda m: f"{GAP}{{0,{m.group(1)}}}", pattern)
    if _MACRO.search(pattern):
        raise ValueError(f"unknown or circular word in {pattern!r}")
    return pattern


def _english(pattern: str) -> str:
    """English signs are whole words: ``\\b(?:pattern)\\b``."""
    return rf"\b(?:{pattern})\b"


def _sign(entry: dict[str, Any], words: dict[str, str]) -> Sign:
    english = "en" in entry
    source = entry["en"] if english else entry["zh"]
    alternatives = source if isinstance(source, list) else [source]
    expanded = [_expand(a, words) for a in alternatives]
    if english:
        expanded = [_english(a) for a in expanded]
    near = entry.get("with")
    near_pattern = None
    if near is not None:
        near_alternatives = near if isinstance(near, list) else [near]
        near_pattern = re.compile("|".join(_expand(a, words) for a in near_alternatives))
    pattern, starts = fast_with_starts("|".join(expanded))
    if english and not all(char.isascii() and char.isalnum() for char in starts):
        # engine.Letters lists only the ASCII letters and digits that start a word
        raise ValueError(f"an English sign must start with a letter or digit: {source!r}")
    heads, short_starts = literal_heads("|".join(expanded), HEAD) if english else ((), ())
    return Sign(
        pattern=pattern,
        starts=starts,
        heads=frozenset(heads),
        short_starts=frozenset(short_starts),
        english=english,
        near=near_pattern,
        check=entry.get("check"),
        within=int(entry.get("within", 80)) * (2 if english else 1),
        about_near=entry.get("about") == "with",
        asking_calms=entry.get("asking") != "urgent",
    )


def _words(lexicon: dict[str, Any]) -> dict[str, str]:
    return {name: "|".join(items) for name, items in lexicon["words"].items()}


@cache
def load_table(directory: Path = HERE) -> Table:
    lexicon = yaml.safe_load((directory / "lexicon.yml").read_text(encoding="utf-8"))
    table = yaml.safe_load((directory / "categories.yml").read_text(encoding="utf-8"))
    words = _words(lexicon)
    categories = tuple(
        Category(
            id=key,
            criterion=entry["criterion"],
            source=entry["source"],
            signs=tuple(_sign(sign, words) for sign in entry["signs"]),
        )
        for key, entry in table.items()
    )
    return Table(
        categories=categories,
        cues=Cues.from_lexicon(lexicon["cues"]),
        mend=Mender(lexicon.get("slips") or {}, lexicon.get("idioms") or []),
        pregnant=re.compile(_expand("{pregnant}", words)),
    )
