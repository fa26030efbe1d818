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
class Model:
    vocabulary: tuple[str, ...]
    index: dict[str, int]
    idf: np.ndarray
    flag_coef: np.ndarray
    flag_intercept: float
    kinds: tuple[str, ...]
    kind_coef: np.ndarray
    kind_intercept: np.ndarray
    fire: float  # the model alone raises a red flag from this probability
    veto: float  # below this it overrules the word signs
    data_hash: str

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The message's TF-IDF weights (sublinear, L2-normalised), as scikit-learn makes them."""
        counts = [(self.index[g], n) for g, n in gram_counts(text).items() if g in self.index]
        if not counts:
            return None
        columns = np.fromiter((c for c, _ in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter(
            (1.0 + math.log(n) for _, n in counts), dtype=np.float64, count=len(counts)
        )
        values = tf * self.idf[columns]
        return columns, values / np.linalg.norm(values)

    def emergency_probability(self, text: str) -> float | None:
        """None when the message has too few known words to judge (an emoji, a name, Arabic):
        the model then neither raises nor overrules a red flag."""
        found = self.weights(text)
        if found is None:
            return None
        columns, values = found
        if sum(1 for c in columns.tolist() if _wordlike(self.vocabulary[c])) < MIN_EVIDENCE:
            return None
        score = self.flag_intercept + float(values @ self.flag_coef[columns])
        return 1.0 / (1.0 + math.exp(-score))

    def likeliest_kind(self, text: str) -> str | None:
        found = self.weights(text)
        if found is None:
            return None
        columns, values = found
        scores = self.kind_coef[:, columns].astype(np.float64) @ values + self.kind_intercept
        return self.kinds[int(np.argmax(scores))]


@cache
def load_model(path: Path = MODEL) -> Model:
    with np.load(path, allow_pickle=False) as data:
        vocabulary = str(data["vocabulary"]).split("\n")
        fire, veto = (float(x) for x in data["thresholds"])
        return Model(
            vocabulary=tuple(vocabulary),
            index={gram: i for i, gram in enumerate(vocabulary)},
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
