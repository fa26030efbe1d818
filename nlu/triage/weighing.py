"""The word signs weighed with the model (nlu/triage/model.py)."""

from __future__ import annotations

from itertools import islice

from nlu.triage.fast import fast
from nlu.triage.model import load_model
from nlu.triage.table import load_table

# A cry for help or words of suicide stand whatever the model reads: nothing may talk the bot
# out of 救命 or "I want to die" (the model once read the latter as calm, at 0.19).
_UNVETOED = frozenset({"distress", "self_harm"})


def weighed_with_model(words: set[str], spaced: str) -> set[str]:
    """The word signs, weighed with the model: it overrules them when it is sure the message
    is calm (a look-alike the signs match), and raises a red flag of its own when it is sure of
    an emergency they missed."""
    model = load_model()
    reading = model.read(spaced)
    if reading is None:
        return words
    probability = model.probability(reading)
    if probability < model.veto:
        return words & _UNVETOED
    if not words and probability >= model.fire and not _told_calmly(spaced):
        return {model.likeliest_kind(reading)}
    return words


_DENIAL = fast(r"\b(?:no|not|never|without)\b|没有|没|不是")


def _told_calmly(spaced: str) -> bool:
    """What the model cannot weigh alone: a what-if, a joke, someone told as well (精神不错),
    or symptoms denied one by one
    ("no blackout, no vomiting, not on blood thinners"). The signs read those in context."""
    cues = load_table().cues
    return bool(
        cues.framing.search(spaced)
        or cues.joking.search(spaced)
        or cues.well.search(spaced)
        or len(list(islice(_DENIAL.finditer(spaced, 0, 2000), 2))) >= 2
    )
