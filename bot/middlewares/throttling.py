"""Per-person rate limit: a token bucket. Each person has THROTTLE_BURST updates in hand,
refilled at THROTTLE_RATE; someone filling in a form briskly never runs out, a flood is cut
to the refill rate. Buckets live in Redis when the conversation state does (several bot
processes share one count), else in memory.

Over the limit: a message gets one kind word, then silence until an update passes again; a
button press is always answered (the note the first time, silently after), so the person's
spinner stops."""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis

from flows.clock import Clock

_PERIODS = {"second": 1, "minute": 60, "hour": 3600}


class Verdict(IntEnum):
    PASS = 0
    REFUSE_AND_TELL = 1  # the first refusal since the last update that passed
    REFUSE_QUIETLY = 2


@dataclass(frozen=True)
class Bucket:
    """`burst` updates in hand, refilled at `per_second`."""

    burst: int
    per_second: float

    @classmethod
    def from_settings(cls, rate: str, burst: int) -> Bucket:
        match = re.fullmatch(r"(\d+)/(\d*)(second|minute|hour)s?", rate)
        if match is None:
            raise ValueError(f"not a rate: {rate!r}")  # settings checked it already
        amount, count, unit = match.groups()
        seconds = int(count or 1) * _PERIODS[unit]
        return cls(burst=burst, per_second=int(amount) / seconds)

    @property
    def seconds_to_fill(self) -> int:
        return math.ceil(self.burst / self.per_second) + 1


class Buckets(Protocol):
    async def take(self, key: str, now: float) -> Verdict:
        """Takes one update from the person's bucket."""
        ...


class MemoryBuckets:
    """One process's buckets. Full buckets are forgotten now and then, so memory stays
    bounded by the people active in the last `seconds_to_fill`."""

    def __init__(self, bucket: Bucket) -> None:
        self._bucket = bucket
        self._state: dict[str, tuple[float, float, bool]] = {}  # tokens, at, told
        self._next_prune = 0.0

    async def take(self, key: str, now: float) -> Verdict:
        self._prune(now)
        tokens, at, told = self._state.get(key, (float(self._bucket.burst), now, False))
        if now > at:
            tokens = min(self._bucket.burst, tokens + (now - at) * self._bucket.per_second)
            at = now
        if tokens >= 1:
            self._state[key] = (tokens - 1, at, False)
            return Verdict.PASS
        self._state[key] = (tokens, at, True)
        return Verdict.REFUSE_QUIETLY if told else Verdict.REFUSE_AND_TELL

    def _prune(self, now: float) -> None:
        if now < self._next_prune:
            return
        fill = self._bucket.seconds_to_fill
        self._state = {k: v for k, v in self._state.items() if now - v[1] < fill}
        self._next_prune = now + fill


# The same rule as MemoryBuckets, atomically in Redis. Time comes from the bot (its clock),
# not from Redis, so tests can move it; processes' clocks are assumed in sync (NTP).
_TAKE = """
local burst, per_second = tonumber(ARGV[1]), tonumber(ARGV[2])
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'told')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local told = state[3] == '1'
if now > at then
  tokens = math.min(burst, tokens + (now - at) * per_second)
  at = now
end
local verdict = 0
if tokens >= 1 then
  tokens = tokens - 1
  told = false
elseif told then
  verdict = 2
else
  told = true
  verdict = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at),
           'told', told and '1' or '0')
redis.call('EXPIRE', KEYS[1], ttl)
return verdict
"""


class RedisBuckets:
    def __init__(self, redis: Redis, bucket: Bucket, prefix: str = "throttle") -> None:
        self._bucket, self._prefix = bucket, prefix
        self._script = redis.register_script(_TAKE)

    async def take(self, key: str, now: float) -> Verdict:
        verdict = await self._script(
            keys=[f"{self._prefix}:{key}"],
            args=[self._bucket.burst, repr(self._bucket.per_second), repr(now),
                  self._bucket.seconds_to_fill],
        )  # fmt: skip
        return Verdict(int(verdict))


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, buckets: Buckets, clock: Clock, i18n: I18n) -> None:
        self._buckets, self._clock, self._i18n = buckets, clock, i18n

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None:
            return await handler(event, data)
        verdict = await self._buckets.take(str(sender.id), self._clock.now().timestamp())
        if verdict is Verdict.PASS:
            return await handler(event, data)
        if isinstance(event, Update):
            await self._refuse(event, sender, tell=verdict is Verdict.REFUSE_AND_TELL)
        return None

    async def _refuse(self, update: Update, sender: TelegramUser, *, tell: bool) -> None:
        locale = "en" if (sender.language_code or "").startswith("en") else "zh_CN"
        text = self._i18n.gettext("您点得太快了，请稍等一会儿再试。", locale=locale)
        if isinstance(update.callback_query, CallbackQuery):
            # Always answered: an unanswered press keeps spinning on the person's screen.
            await update.callback_query.answer(text if tell else None)
        elif isinstance(update.message, Message) and tell:
            await update.message.answer(text)
