"""Fixtures for flow tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiogram import Bot

from bot.app import make_i18n
from bot.delivery import Deliverer
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database


@pytest.fixture
def deliver(
    bot: Bot, db: Database, clock: FrozenClock, centre: CentreConfig
) -> Callable[[], Awaitable[None]]:
    """Runs one delivery sweep, as the bot's scheduler does: notices reach other chats."""
    deliverer = Deliverer(bot, db.sessionmaker, clock, centre, make_i18n("zh_CN"))

    async def sweep() -> None:
        await deliverer.sweep()

    return sweep
