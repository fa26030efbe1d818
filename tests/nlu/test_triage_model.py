"""Triage's model is trained on the development data as it is now, and reads like scikit-learn."""

from __future__ import annotations

import pytest

from nlu.triage.model import load_model
from nlu.triage.table import load_table
from nlu.triage.text import prepare
from nlu.triage.train import data_hash


def test_model_was_trained_on_the_current_development_data() -> None:
    # A changed blind set or case table needs `make triage-model` (and the new model committed).
    assert load_model().data_hash == data_hash()


def test_reading_matches_scikit_learn() -> None:
    sklearn = pytest.importorskip("sklearn")  # the dev extra; the bot itself reads with numpy
    del sklearn
    from nlu.triage.train import train_models

    trained = train_models()
    model = load_model()
    table = load_table()
    for text in (
        "我爸突然晕倒了叫不醒",
        "血压150/95 头不痛",
        "my chest hurts really bad",
        "去年中风过",
    ):
        view = prepare(text, table.mend).spaced
        expected = trained.flag.predict_proba(trained.vectoriser.transform([view]))[0, 1]
        assert model.emergency_probability(view) == pytest.approx(expected, abs=1e-3)


def test_a_message_with_too_few_known_words_is_not_judged() -> None:
    model = load_model()
    assert model.emergency_probability("😀🙏") is None
    assert model.emergency_probability("ok") is None
