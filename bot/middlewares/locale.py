"""The user's language: what they chose, else a guess from Telegram, else the centre's."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.middlewares.current_user import USER_LANGUAGE


class UserLocaleMiddleware(I18nMiddleware):
    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        # The language copied when the user was loaded, never the ORM object: on the error
        # path after a failed commit that object is detached and cannot be read.
        chosen: str | None = data.get(USER_LANGUAGE)
        if chosen in self.i18n.available_locales:
            return chosen
        sender: TelegramUser | None = data.get("event_from_user")
        code = (sender.language_code or "") if sender else ""
        if code.startswith("zh"):
            return "zh_CN"
        if code.startswith("en") and "en" in self.i18n.available_locales:
            return "en"
        return self.i18n.default_locale
