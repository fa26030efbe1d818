"""The features triage's model reads: character 1- to 3-grams of the prepared message (traditional
characters simplified, slips and dialect words mended, idioms blanked, lower case), the same for
training (nlu/triage/train.py) and for reading (nlu/triage/model.py).

A long message is read at its start and its end, where an emergency is told; the rules read all of
it. This keeps the model's cost per message bounded."""

from __future__ import annotations

from collections import Counter

SIZES = (1, 2, 3)
HEAD = TAIL = 256  # characters of a long message the model reads at either end


def bounded(text: str) -> str:
    return text if len(text) <= HEAD + TAIL else text[:HEAD] + " " + text[-TAIL:]


def grams(text: str) -> list[str]:
    text = bounded(text)
    return [text[i : i + n] for n in SIZES for i in range(len(text) - n + 1)]


def gram_counts(text: str) -> Counter[str]:
    return Counter(grams(text))
