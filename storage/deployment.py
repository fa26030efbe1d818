"""Which kinds of program have run on this database (see storage.models.DatabaseUse)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DatabaseUse, User


async def database_uses(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(DatabaseUse.kind))).all())


async def mark_database_use(session: AsyncSession, kind: str, now: datetime) -> None:
    """Records the first time a `kind` of program ran here (idempotent)."""
    if await session.get(DatabaseUse, kind) is None:
        session.add(DatabaseUse(kind=kind, first_at=now))
        await session.flush()


async def has_users(session: AsyncSession, *, besides: Collection[int] = ()) -> bool:
    """Whether anyone uses the bot here, not counting the Telegram ids `besides`."""
    others = exists().where(User.telegram_id.not_in(list(besides)))
    return bool(await session.scalar(select(others)))
