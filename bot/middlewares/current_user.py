"""Loads (or creates) the user behind the update, with their role and resident profile."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser

from flows.clock import Clock
from storage.users import load_or_create_user

USER_LANGUAGE = "user_language"


class CurrentUserMiddleware(BaseMiddleware):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return None  # channel posts, service updates, other bots: nothing to do
        user = await load_or_create_user(data["session"], sender.id, self._clock.now())
        data["user"] = user
        # A plain copy: if the update fails at commit, the rollback detaches `user`, and the
        # safety net must still apologise in the user's language without touching it.
        data[USER_LANGUAGE] = user.language
        return await handler(event, data)
