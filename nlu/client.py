"""The bot's side of Rasa: an HTTP client that answers within 2 s or not at all. It never
raises into a handler: a slow, absent or confused server is simply "no understanding"."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
PARSE_TIMEOUT = 2.0
MAX_TEXT = 1000  # intents live in the first sentences; longer text only slows the server


@dataclass(frozen=True)
class Entity:
    name: str
    value: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Understanding:
    intent: str
    confidence: float
    entities: tuple[Entity, ...] = field(default_factory=tuple)
    ranking: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    def first(self, name: str) -> str | None:
        return next((e.value for e in self.entities if e.name == name), None)


class NluClient:
    def __init__(self, base_url: str, timeout: float = PARSE_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def parse(self, text: str) -> Understanding | None:
        """Rasa's reading of `text`, or None when the server can't give one in time."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            return None
        try:
            async with self._http().post(
                f"{self.base_url}/model/parse", json={"text": text}
            ) as response:
                if response.status != 200:
                    log.warning("NLU answered HTTP %s", response.status)
                    return None
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            log.info("NLU unavailable: %s", type(exc).__name__)
            return None
        return read_parse_result(body)

    async def ready(self) -> bool:
        """True when the server answers /status with a loaded model."""
        try:
            async with self._http().get(f"{self.base_url}/status") as response:
                if response.status != 200:
                    return False
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return False
        return isinstance(body, dict) and bool(body.get("model_file"))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def read_parse_result(body: Any) -> Understanding | None:
    """Rasa's /model/parse JSON, checked field by field: anything malformed is None."""
    if not isinstance(body, dict):
        return None
    intent = body.get("intent")
    if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
        return None
    confidence = intent.get("confidence")
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        return None
    entities: list[Entity] = []
    for raw in body.get("entities") or []:
        if not isinstance(raw, dict):
            continue
        name, value = raw.get("entity"), raw.get("value")
        if isinstance(name, str) and isinstance(value, str | int | float):
            start, end = raw.get("start"), raw.get("end")
            entities.append(Entity(name, str(value), start if isinstance(start, int) else None,
                                   end if isinstance(end, int) else None))  # fmt: skip
    ranking = tuple(
        (r["name"], float(r["confidence"]))
        for r in body.get("intent_ranking") or []
        if isinstance(r, dict)
        and isinstance(r.get("name"), str)
        and isinstance(r.get("confidence"), int | float)
    )
    return Understanding(intent["name"], float(confidence), tuple(entities), ranking)
