"""What a reading of free text leads to (flows/understanding/service.py), without Telegram."""

from __future__ import annotations

import pytest

from flows.understanding.service import OFFERED, Next, destination_of, interpret
from flows.understanding.views import INTENT_LABELS
from nlu.client import Understanding
from nlu.intents import Intent


def test_every_intent_leads_somewhere_on_purpose() -> None:
    # Only out_of_scope ends at "not understood"; every other intent the model knows is
    # answered, so adding an intent without deciding where it leads fails here.
    lost = [i for i in Intent if destination_of(i).next is Next.NOT_UNDERSTOOD]
    assert lost == [Intent.OUT_OF_SCOPE]


def test_coming_features_are_named() -> None:
    for intent in Intent:
        destination = destination_of(intent)
        assert (destination.next is Next.COMING_SOON) == (destination.feature is not None)


def test_every_choice_offered_has_words() -> None:
    assert set(OFFERED) == set(INTENT_LABELS)


@pytest.mark.parametrize(
    ("reading", "intent", "choices"),
    [
        (None, None, ()),  # NLU down
        (Understanding("out_of_scope", 0.99), None, ()),
        (Understanding("book_appointment", 0.9), Intent.BOOK_APPOINTMENT, ()),
        (
            Understanding("nlu_fallback", 0.4, ranking=(("renew_contract", 0.4),
                          ("greet", 0.3), ("cancel_contract", 0.2), ("feedback", 0.1))),
            None,
            (Intent.RENEW_CONTRACT, Intent.CANCEL_CONTRACT),  # no small talk, none below 0.15
        ),
        (Understanding("help", 0.5, ranking=(("help", 0.5),)), None, (Intent.HELP,)),
    ],
)  # fmt: skip
def test_confident_readings_are_acted_on_and_others_clarified(
    reading: Understanding | None, intent: Intent | None, choices: tuple[Intent, ...]
) -> None:
    result = interpret(reading)
    assert (result.intent, result.choices) == (intent, choices)
