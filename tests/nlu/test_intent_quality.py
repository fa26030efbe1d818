"""The model clears the bar the product needs: cross-validated intent F1 ≥ 0.92 weighted and
≥ 0.85 for every intent (3 folds, as `familydoc nlu evaluate` reports it)."""

from __future__ import annotations

from nlu.evaluation import INTENT_F1_MIN, WEIGHTED_F1_MIN, cross_validate, intent_scores
from nlu.intents import Intent
from nlu.server import RasaBuild

EXPECTED_INTENTS = set(Intent)


def test_weighted_intent_f1_clears_the_bar(rasa_build: RasaBuild) -> None:
    report, _ = cross_validate(folds=3, built=rasa_build)
    assert set(intent_scores(report)) == EXPECTED_INTENTS
    assert report["weighted avg"]["f1-score"] >= WEIGHTED_F1_MIN


# The folds are seeded (nlu/evaluation.py), so this is one fixed measurement, not a lucky
# draw. Over 8 seeds of the current data the weakest intent scored 0.88-0.91.
def test_every_intent_clears_the_bar(rasa_build: RasaBuild) -> None:
    report, _ = cross_validate(folds=3, built=rasa_build)
    weak = {name: round(f1, 3) for name, f1 in intent_scores(report).items() if f1 < INTENT_F1_MIN}
    assert not weak, f"intents below {INTENT_F1_MIN}: {weak}"
