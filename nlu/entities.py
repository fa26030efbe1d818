"""Entities as the bot uses them: Rasa's (drug, package, doctor, relation; synonyms already
mapped to ids) plus what is read reliably without a model — dates and times (JioNLP,
Duckling), blood pressure and glucose (cn2an-based readings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nlu.client import Understanding
from nlu.readings import extract_blood_pressure, extract_glucose
from nlu.when import find_time

MODEL_ENTITIES = ("drug", "package", "doctor", "relation")


def normalised_entities(
    text: str, reading: Understanding | None, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    moment = find_time(text, now, zone)
    if moment is not None:
        entities["time"] = moment.value
    pressure = extract_blood_pressure(text)
    if pressure is not None:
        entities["systolic"], entities["diastolic"] = pressure.systolic, pressure.diastolic
    glucose = extract_glucose(text)
    if glucose is not None:
        entities["glucose"] = glucose.value
    if reading is not None:
        for name in MODEL_ENTITIES:
            value = reading.first(name)
            if value is not None:
                entities[name] = value
    return entities
