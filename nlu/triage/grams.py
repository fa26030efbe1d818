"""The features triage's model reads: character 1- to 3-grams of the prepared message (traditional
characters simplified, slips and dialect words mended, idioms blanked, lower case), the same for
training (nlu/triage/train.py) and for reading (nlu/triage/model.py).

A long message is read at its start and its end, where an emergency is told; the rules read all of
it. This keeps the model's cost per message bounded."""

from __future__ import annotations

from collections import Counter
from operator import add

HEAD = TAIL = 256  # characters of a long message the model reads at either end


def bounded(text: str) -> str:
    return text if len(text) <= HEAD + TAIL else text[:HEAD] + " " + text[-TAIL:]


def grams(text: str) -> list[str]:
    """Every character, pair and triple of ``text`` (bounded), in no particular order. Made by
    adding neighbours at C speed rather than slicing at each position: about twice as fast."""
    text = bounded(text)
    pairs = list(map(add, text, text[1:]))
    return [*text, *pairs, *map(add, pairs, text[2:])]


def gram_counts(text: str) -> Counter[str]:
    return Counter(grams(text))
