"""aiogram FSM storage in the service's own database: conversations survive a restart with
no extra server. (Redis is used instead when REDIS_URL is set; see bot.app.)

A conversation left alone for `abandon_after` is forgotten: it reads as empty at once, and
`purge_abandoned_conversations` (a scheduled job) deletes the rows, which may hold a phone
number or conditions from a half-filled form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.database import update_session
from storage.models import ConversationState


class SqlFsmStorage(BaseStorage):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        key_builder: KeyBuilder | None = None,
        *,
        abandon_after: timedelta | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._abandon_after, self._now = abandon_after, now

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
            row = await shared.get(ConversationState, self._keys.build(key))
        else:
            async with self._sessionmaker() as session:
                row = await session.get(ConversationState, self._keys.build(key))
        return None if row is None or self._abandoned(row) else row

    def _abandoned(self, row: ConversationState) -> bool:
        if self._abandon_after is None:
            return False
        return row.updated_at < self._now() - self._abandon_after

    async def _write(self, key: StorageKey, **changes: Any) -> None:
        storage_key = self._keys.build(key)
        shared = update_session.get()
        if shared is not None:  # committed with the rest of the update
            await self._upsert(shared, storage_key, changes)
            await shared.flush()
            return
        # Two writes for a new key can race (two updates of one chat at once): retry once.
        for attempt in range(2):
            async with self._sessionmaker() as session:
                try:
                    await self._upsert(session, storage_key, changes)
                    await session.commit()
                    return
                except IntegrityError:
                    if attempt:
                        raise

    async def _upsert(
        self, session: AsyncSession, storage_key: str, changes: dict[str, Any]
    ) -> None:
        row = await session.get(ConversationState, storage_key)
        if row is None:
            row = ConversationState(key=storage_key, state=None, data={})
            session.add(row)
        elif self._abandoned(row):  # starts afresh: an old draft must not come back
            row.state, row.data = None, {}
        for name, value in changes.items():
            setattr(row, name, value)
        if row.state is None and not row.data:
            # Nothing left to remember: don't keep an empty row per user forever.
            if row in session.new:
                session.expunge(row)
                return
            await session.delete(row)
        else:
            row.updated_at = self._now()


async def purge_abandoned_conversations(
    sessionmaker: async_sessionmaker[AsyncSession], abandoned_before: datetime
) -> int:
    """Deletes conversation state nobody has touched since `abandoned_before`."""
    async with sessionmaker() as session:
        result = await session.execute(
            delete(ConversationState).where(ConversationState.updated_at < abandoned_before)
        )
        await session.commit()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
