"""Timed work of signing, run by the bot's scheduler: contracts past their last day expire."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.centre import CentreConfig
from flows.clock import Clock
from flows.signing.service import SigningService


async def expire_ended_contracts(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, centre: CentreConfig
) -> int:
    async with sessionmaker() as session:
        return await SigningService(session, clock, centre).expire_ended()
