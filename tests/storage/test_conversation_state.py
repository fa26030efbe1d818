"""Conversation state lives in the database: a new process finds it; it is encrypted; once
abandoned it is forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select, text

from storage.database import Database
from storage.fsm_storage import SqlFsmStorage, purge_abandoned_conversations
from storage.models import ConversationState

KEY = StorageKey(bot_id=1, chat_id=5001, user_id=5001)


async def test_state_and_data_survive_a_new_storage(any_db: Database) -> None:
    first = SqlFsmStorage(any_db.sessionmaker)
    await first.set_state(KEY, "Step:phone")
    await first.update_data(KEY, {"name": "张秀兰", "phone": "+8613800138000"})

    second = SqlFsmStorage(any_db.sessionmaker)  # as after a restart
    assert await second.get_state(KEY) == "Step:phone"
    assert await second.get_data(KEY) == {"name": "张秀兰", "phone": "+8613800138000"}
    async with any_db.engine.connect() as conn:
        raw = await conn.scalar(text("SELECT data FROM conversation_states"))
    assert "13800138000" not in raw


async def test_clearing_leaves_no_row_behind(any_db: Database) -> None:
    storage = SqlFsmStorage(any_db.sessionmaker)
    await storage.set_state(KEY, "Step:name")
    await storage.set_data(KEY, {"x": 1})
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) is None
    async with any_db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 0


async def test_an_abandoned_conversation_is_forgotten(any_db: Database) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clock = [now]
    storage = SqlFsmStorage(
        any_db.sessionmaker, abandon_after=timedelta(hours=72), now=lambda: clock[0]
    )
    await storage.set_state(KEY, "Step:phone")
    await storage.set_data(KEY, {"phone": "+8613800138000", "conditions": ["hypertension"]})

    clock[0] = now + timedelta(hours=71)
    assert await storage.get_state(KEY) == "Step:phone"  # a day or two away is fine

    clock[0] = now + timedelta(hours=72, minutes=1)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    # Starting again does not bring the old draft back.
    await storage.set_state(KEY, "Step:name")
    assert await storage.get_data(KEY) == {}

    await storage.set_data(KEY, {})
    await storage.set_state(KEY, None)
    await storage.set_state(KEY, "Step:phone")
    await storage.set_data(KEY, {"phone": "+8613800138000"})
    # At rest too: the scheduled purge deletes rows nobody touched in time.
    assert await purge_abandoned_conversations(any_db.sessionmaker, now) == 0
    later = now + timedelta(hours=200)
    assert await purge_abandoned_conversations(any_db.sessionmaker, later) == 1
    async with any_db.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ConversationState)) == 0
