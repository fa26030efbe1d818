"""Per-user rate limit (the `limits` library, moving window; Redis-backed when configured so
several bot processes share one count). Over the limit: one kind word, then silence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n
from limits import parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


def limiter_storage(redis_url: str | None) -> Storage:
    if redis_url:
        # redis-py is already here for aiogram's RedisStorage; limits defaults to coredis.
        return storage_from_string(f"async+{redis_url}", implementation="redispy")
    return MemoryStorage()


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, rate: str, storage: Storage, i18n: I18n) -> None:
        self._rate = parse(rate)
        self._notice = type(self._rate)(1, self._rate.multiples)  # one notice per window
        self._limiter = MovingWindowRateLimiter(storage)
        self._i18n = i18n

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None:
            return await handler(event, data)
        key = str(sender.id)
        if await self._limiter.hit(self._rate, "user", key):
            return await handler(event, data)
        # Tell them once per window (the first refused update), then drop quietly.
        if await self._limiter.hit(self._notice, "told", key) and isinstance(event, Update):
            await self._tell(event, sender)
        return None

    async def _tell(self, update: Update, sender: TelegramUser) -> None:
        locale = "en" if (sender.language_code or "").startswith("en") else "zh_CN"
        text = self._i18n.gettext("您点得太快了，请稍等一会儿再试。", locale=locale)
        if isinstance(update.callback_query, CallbackQuery):
            await update.callback_query.answer(text)
        elif isinstance(update.message, Message):
            await update.message.answer(text)
