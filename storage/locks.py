"""One row's lock for the rest of a transaction, on either database the project runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


async def lock_row(
    session: AsyncSession,
    key: InstrumentedAttribute[Any],
    value: object,
    *,
    noop: InstrumentedAttribute[Any],
    key_share: bool = False,
) -> None:
    """PostgreSQL: the row lock (FOR UPDATE; FOR NO KEY UPDATE with `key_share`, so rows that
    point at this one may still be added meanwhile). SQLite has no row locks: the database
    write lock instead, taken by writing the `noop` column to itself."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(key).where(key == value).with_for_update(key_share=key_share))
        return
    await session.execute(
        update(key.class_)
        .where(key == value)
        .values({noop: noop})
        .execution_options(synchronize_session=False)
    )
