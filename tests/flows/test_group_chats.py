"""The bot serves private chats only: in a group it was added to, members' messages and
button presses are ignored, and nothing about those members is stored."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import func, select

from bot.local_api import BOT_USER, LocalBotApi
from storage.database import Database
from storage.models import User as UserRow

GROUP = Chat(id=-100_555, type="supergroup", title="幸福一社区居民群")
MEMBER = User(id=7301, is_bot=False, first_name="秀兰", language_code="zh-hans")


async def _users(db: Database) -> int:
    async with db.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(UserRow)) or 0


async def test_group_messages_and_presses_store_nothing_and_get_no_answer(
    dp: Dispatcher, bot: Bot, api: LocalBotApi, db: Database
) -> None:
    before = await _users(db)
    said = Message(
        message_id=10, date=datetime.now(UTC), chat=GROUP, from_user=MEMBER, text="/start"
    )
    await dp.feed_update(bot, Update(update_id=90_001, message=said))

    bots_message = Message(
        message_id=11, date=datetime.now(UTC), chat=GROUP, from_user=BOT_USER, text="请选择："
    )
    press = CallbackQuery(
        id="q-group", from_user=MEMBER, chat_instance="g", message=bots_message, data="lang:en"
    )
    await dp.feed_update(bot, Update(update_id=90_002, callback_query=press))

    assert await _users(db) == before
    assert api.calls == []  # not a message, not an answer to the press
