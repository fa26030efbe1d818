"""aiogram FSM storage in the service's own database: conversations survive a restart with
no extra server. (Redis is used instead when REDIS_URL is set; see bot.app.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import update_session
from storage.models import ConversationState


class SqlFsmStorage(BaseStorage):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row else {}

    async def close(self) -> None:
        """The engine belongs to the Database, which disposes of it."""

    async def _read(self, key: StorageKey) -> ConversationState | None:
        shared = update_session.get()
        if shared is not None:
            return await shared.get(ConversationState, self._keys.build(key))
        async with self._sessionmaker() as session:
            return await session.get(ConversationState, self._keys.build(key))

    async def _write(self, key: StorageKey, **changes: Any) -> None:
        storage_key = self._keys.build(key)
        shared = update_session.get()
        if shared is not None:  # committed with the rest of the update
            await _upsert(shared, storage_key, changes)
            await shared.flush()
            return
        # Two writes for a new key can race (two updates of one chat at once): retry once.
        for attempt in range(2):
            async with self._sessionmaker() as session:
                try:
                    await _upsert(session, storage_key, changes)
                    await session.commit()
                    return
                except IntegrityError:
                    if attempt:
                        raise


async def _upsert(session: AsyncSession, storage_key: str, changes: dict[str, Any]) -> None:
    row = await session.get(ConversationState, storage_key)
    if row is None:
        row = ConversationState(key=storage_key, state=None, data={})
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if row.state is None and not row.data:
        # Nothing left to remember: don't keep an empty row per user forever.
        if row in session.new:
            session.expunge(row)
            return
        await session.delete(row)
    else:
        row.updated_at = datetime.now(UTC)
