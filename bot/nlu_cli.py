"""`familydoc nlu …` and `familydoc triage …`: language understanding for people and scripts.
Output is one JSON object per text, so scripts can read it line by line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from bot.settings import Settings
from nlu.client import NluClient
from nlu.entities import normalised_entities
from nlu.evaluation import (
    INTENT_F1_MIN,
    WEIGHTED_F1_MIN,
    cross_validate,
    intent_scores,
    weakest_confusions,
)
from nlu.server import NluUnavailable, RasaBuild, build, rasa_command, rasa_environment
from nlu.triage import assess


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _texts(arguments: list[str], file: str | None) -> Iterable[str]:
    yield from arguments
    if file:
        source = sys.stdin if file == "-" else Path(file).open(encoding="utf-8")  # noqa: SIM115
        with source:
            for line in source:
                if line.strip():
                    yield line.rstrip("\n")


def _built() -> RasaBuild | None:
    try:
        return build()
    except NluUnavailable as exc:
        print(f"familydoc: {exc}", file=sys.stderr)
        return None


def train(settings: Settings) -> int:
    built = _built()
    if built is None:
        return 1
    print(f"model: {built.model}")
    return 0


def serve(settings: Settings) -> int:
    """Rasa in the foreground at NLU_URL (Ctrl-C stops it)."""
    built = _built()
    if built is None:
        return 1
    os.execve(str(built.python), rasa_command(built, settings.nlu_url), rasa_environment())


def status(settings: Settings) -> int:
    async def ask() -> bool:
        client = NluClient(settings.nlu_url)
        try:
            return await client.ready()
        finally:
            await client.close()

    ready = asyncio.run(ask())
    _print({"url": settings.nlu_url, "ready": ready})
    return 0 if ready else 1


def parse(settings: Settings, texts: list[str], file: str | None, now: str | None) -> int:
    zone = settings.centre.zone
    moment = datetime.fromisoformat(now) if now else datetime.now(zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)

    async def run() -> bool:
        client = NluClient(settings.nlu_url)
        try:
            # Said once, up front: without the server every line still comes, entities only.
            ready = await client.ready()
            if not ready:
                print(
                    f"familydoc: no NLU server answers at {settings.nlu_url}; intents are null."
                    " Start one with `familydoc nlu serve`.",
                    file=sys.stderr,
                )
            for text in _texts(texts, file):
                reading = await client.parse(text)
                _print({
                    "text": text,
                    "intent": reading.intent if reading else None,
                    "confidence": round(reading.confidence, 4) if reading else None,
                    "entities": normalised_entities(text, reading, moment, zone),
                })  # fmt: skip
            return ready
        finally:
            await client.close()

    return 0 if asyncio.run(run()) else 3


def triage(settings: Settings, texts: list[str], file: str | None) -> int:
    thresholds = settings.centre.triage
    for text in _texts(texts, file):
        result = assess(text, thresholds)
        _print({"text": text, "red_flag": result.red_flag, "categories": list(result.categories)})
    return 0


def evaluate(settings: Settings, folds: int = 3) -> int:
    """Cross-validated F1 per intent (rasa test nlu), the worst mix-ups, and whether the model
    clears the bar."""
    report, errors = cross_validate(folds)
    scores = intent_scores(report)
    for name, f1 in sorted(scores.items(), key=lambda kv: kv[1]):
        print(f"{name:26s} f1={f1:.3f}  support={report[name]['support']}")
    for pair, count in weakest_confusions(errors):
        print(f"  confused {count:3d}x  {pair}")
    weighted, lowest = report["weighted avg"]["f1-score"], min(scores.values())
    print(f"weighted f1={weighted:.3f}  lowest intent f1={lowest:.3f}")
    return 0 if weighted >= WEIGHTED_F1_MIN and lowest >= INTENT_F1_MIN else 1
