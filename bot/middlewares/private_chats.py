"""The bot serves private chats only. Updates from groups and channels it was added to are
dropped before anything else runs: no user row, no rate-limit count, no answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import Chat, TelegramObject


class PrivateChatsOnlyMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type != ChatType.PRIVATE:
            return None  # a group member pressing our button is not someone we know
        # No chat: e.g. a press on a message Telegram no longer shows; it is still answered.
        return await handler(event, data)
