"""In webhook mode Telegram's 200 means "handled": an update is processed before the answer,
so a crash mid-update makes Telegram deliver it again instead of it being lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User
from aiohttp.test_utils import TestClient, TestServer

from bot.local_api import LocalBotApi
from bot.runner import WEBHOOK_PATH, webhook_app
from bot.settings import Settings

SECRET = "s3cret-of-twenty-four-ch"


async def test_the_update_is_handled_before_telegram_gets_its_answer(
    settings: Settings, dp: Dispatcher, bot: Bot, api: LocalBotApi
) -> None:
    app = webhook_app(dp, bot, replace(settings, webhook_secret=SECRET))
    person = User(id=6001, is_bot=False, first_name="秀兰", language_code="zh-hans")
    update = Update(
        update_id=1,
        message=Message(
            message_id=1,
            date=datetime.now(UTC),
            chat=Chat(id=6001, type="private"),
            from_user=person,
            text="/start",
        ),
    )
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            WEBHOOK_PATH,
            data=update.model_dump_json(exclude_none=True),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            },
        )
        assert response.status == 200
        # Nothing was awaited after the response: the greeting was already sent.
        assert [s.chat_id for s in api.sent if s.kind == "message"][:1] == [6001]
