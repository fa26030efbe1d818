"""Triage's model (nlu/triage/model.npz, trained by nlu/triage/train.py): how likely a prepared
message is an emergency happening now, and of which category. Read with numpy alone.

It carries across wording the signs of categories.yml do not list, and it recognises the calm
look-alikes they match; engine.py weighs the two."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from nlu.triage.grams import gram_counts

MODEL = Path(__file__).with_name("model.npz")
MIN_EVIDENCE = 4  # known character pairs or triples with a letter in them, before it judges


def _wordlike(gram: str) -> bool:
    """Evidence is in words: a phone number or a date (138 1234 5678) tells nothing."""
    return len(gram) > 1 and any(char.isalpha() for char in gram)


@dataclass(frozen=True)
class Reading:
    """One message as the model reads it: its known n-grams and their weights."""

    columns: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Model:
    vocabulary: tuple[str, ...]
    index: dict[str, int]
    wordlike: np.ndarray  # per column: the gram counts as evidence (_wordlike)
    idf: np.ndarray
    flag_coef: np.ndarray
    flag_intercept: float
    kinds: tuple[str, ...]
    kind_coef: np.ndarray
    kind_intercept: np.ndarray
    fire: float  # the model alone raises a red flag from this probability
    veto: float  # below this it overrules the word signs
    data_hash: str

    def read(self, text: str) -> Reading | None:
        """The message's TF-IDF weights (sublinear, L2-normalised, as scikit-learn makes them);
        None when it has too few known words to judge (an emoji, a name, Arabic): the model
        then neither raises nor overrules a red flag."""
        index = self.index
        grams = gram_counts(text).items()
        counts = [(column, n) for g, n in grams if (column := index.get(g)) is not None]
        columns = np.fromiter((c for c, _ in counts), dtype=np.int64, count=len(counts))
        if int(np.count_nonzero(self.wordlike[columns])) < MIN_EVIDENCE:
            return None
        tf = np.fromiter(
            (1.0 + math.log(n) for _, n in counts), dtype=np.float64, count=len(counts)
        )
        values = tf * self.idf[columns]
        return Reading(columns, values / np.linalg.norm(values))

    def probability(self, reading: Reading) -> float:
        """How likely the message is an emergency happening now."""
        score = self.flag_intercept + float(reading.values @ self.flag_coef[reading.columns])
        return 1.0 / (1.0 + math.exp(-score))

    def likeliest_kind(self, reading: Reading) -> str:
        kind_coef = self.kind_coef[:, reading.columns].astype(np.float64)
        scores = kind_coef @ reading.values + self.kind_intercept
        return self.kinds[int(np.argmax(scores))]

    def emergency_probability(self, text: str) -> float | None:
        reading = self.read(text)
        return None if reading is None else self.probability(reading)


@cache
def load_model(path: Path = MODEL) -> Model:
    with np.load(path, allow_pickle=False) as data:
        vocabulary = str(data["vocabulary"]).split("\n")
        fire, veto = (float(x) for x in data["thresholds"])
        return Model(
            vocabulary=tuple(vocabulary),
            index={gram: i for i, gram in enumerate(vocabulary)},
            wordlike=np.fromiter(
                (_wordlike(g) for g in vocabulary), dtype=bool, count=len(vocabulary)
            ),
            idf=data["idf"].astype(np.float64),
            flag_coef=data["flag_coef"].astype(np.float64),
            flag_intercept=float(data["flag_intercept"]),
            kinds=tuple(str(k) for k in data["kinds"]),
            kind_coef=data["kind_coef"],
            kind_intercept=data["kind_intercept"].astype(np.float64),
            fire=fire,
            veto=veto,
            data_hash=str(data["data_hash"]),
        )
