"""Stopping the bot lets a scheduled job that is running finish its work before the database
closes: a job cancelled mid-query could leave a task that never ended, and the process hung."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import bot.runtime
from bot.local_api import LocalBotApi
from bot.runtime import running
from bot.settings import Settings
from flows.centre import CentreConfig
from flows.clock import Clock


async def test_a_job_running_at_shutdown_finishes_its_work(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, queries_done = asyncio.Event(), []

    async def expire_slowly(
        sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, centre: CentreConfig
    ) -> None:
        started.set()
        for _ in range(20):  # a job that makes several round trips to the database
            async with sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            queries_done.append(1)

    # Runs at start-up (next_run_time=now), as the real job does.
    monkeypatch.setattr(bot.runtime, "expire_ended_contracts", expire_slowly)
    async with running(settings, bot_session=LocalBotApi()) as rt:
        assert rt.scheduler.running
        await started.wait()

    assert len(queries_done) == 20
