"""Everything a running bot needs, started and stopped in one place: the database (migrated),
the centre synced from config.yml, the Dispatcher, and the scheduler that sends due messages."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import build_dispatcher, make_bot, make_i18n
from bot.delivery import Deliverer
from bot.keys import install_pii_key
from bot.settings import ConfigError, Settings
from flows.admin.service import sync_centre
from flows.centre import CentreConfig
from flows.clock import Clock, SystemClock
from flows.signing.jobs import expire_ended_contracts
from nlu.client import NluClient
from nlu.server import RasaServer
from nlu.triage import warm_up as warm_up_triage
from storage.database import Database
from storage.deployment import database_uses, has_users, mark_database_use
from storage.fsm_storage import purge_abandoned_conversations

log = logging.getLogger(__name__)
DELIVERY_JOB = "deliver_due_messages"
LIVE, TRIAL = "live", "trial"  # what a database is used for (storage.models.DatabaseUse)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    dp: Dispatcher
    bot: Bot
    deliverer: Deliverer
    scheduler: AsyncIOScheduler
    nlu: NluClient


class DeliverySweeps:
    """Runs the delivery sweep on the scheduler's interval and on demand ("nudge": a handler
    queued a notice). A nudge during a sweep runs another right after it, so a notice queued
    after the running sweep claimed its rows still goes out at once."""

    def __init__(self, deliverer: Deliverer) -> None:
        self._deliverer = deliverer
        self._running = False
        self._again = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            self._again = True
            while self._again:
                self._again = False
                await self._deliverer.sweep()
        finally:
            self._running = False

    def nudge(self) -> None:
        if self._running:
            self._again = True
            return
        task = asyncio.get_running_loop().create_task(self.run())
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Waits for sweeps started by nudges (at shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class JobsInFlight:
    """The scheduler's jobs while they run. APScheduler's asyncio executor can only cancel them
    at shutdown, and a job cancelled inside a database call can leave a task that never ends
    once the engine is disposed (the event loop then hangs on closing). So at shutdown the
    scheduler is paused and the jobs in flight are let finish before the database closes."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def track(self, job: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(job)
        async def tracked(*args: Any, **kwargs: Any) -> Any:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            try:
                return await job(*args, **kwargs)
            finally:
                self._tasks.discard(task)

        return tracked

    async def finish(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def make_scheduler(
    sweeps: DeliverySweeps,
    sweep_seconds: int,
    db: Database,
    clock: Clock,
    centre: CentreConfig,
    jobs: JobsInFlight,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        jobs.track(sweeps.run),
        "interval",
        seconds=sweep_seconds,
        id=DELIVERY_JOB,
        max_instances=1,  # a slow sweep is not overlapped by the next
        coalesce=True,
        misfire_grace_time=max(60, sweep_seconds * 2),  # the default 1 s drops sweeps under load
    )
    scheduler.add_job(
        jobs.track(expire_ended_contracts),
        "interval",
        minutes=30,
        args=(db.sessionmaker, clock, centre),
        id="expire_ended_contracts",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
        next_run_time=datetime.now(UTC),  # at start-up too: the bot may have been down
    )
    scheduler.add_job(
        jobs.track(_forget_abandoned_conversations),
        "interval",
        hours=1,
        args=(db, clock, centre),
        id="forget_abandoned_conversations",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


async def _forget_abandoned_conversations(db: Database, clock: Clock, centre: CentreConfig) -> None:
    """Deletes SQL conversation state left alone too long (Redis expires its own keys)."""
    cutoff = clock.now() - timedelta(hours=centre.conversation.abandon_after_hours)
    forgotten = await purge_abandoned_conversations(db.sessionmaker, cutoff)
    if forgotten:
        log.info("forgot %d abandoned conversations", forgotten)


async def prepare_database(
    settings: Settings, *, live: bool = False, trial_people: Collection[int] | None = None
) -> Database:
    """Migrates, records a `live` bot's use of the database or checks the trial may use it
    (`trial_people`: the Telegram ids it plays), then syncs config.yml. A refusal is a
    ConfigError (one line) raised before the trial writes anything."""
    install_pii_key(settings)
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.sessionmaker() as session:
            if trial_people is not None:
                await _claim_for_the_trial(session, trial_people)
            elif live:
                await mark_database_use(session, LIVE, datetime.now(UTC))
            await sync_centre(session, settings.centre)
            await session.commit()
    except BaseException:
        await db.dispose()
        raise
    return db


async def _claim_for_the_trial(session: AsyncSession, trial_people: Collection[int]) -> None:
    uses = await database_uses(session)
    # A real bot's database is one a real bot ran on, or one with people the trial did not
    # make (a real bot's from before this mark existed; an older trial's is welcome).
    if LIVE in uses or (TRIAL not in uses and await has_users(session, besides=trial_people)):
        raise ConfigError(
            "DATABASE_URL: this database belongs to a real bot; the trial chat would add "
            "made-up people and send its queued messages. Point DATABASE_URL at another "
            "database, e.g. sqlite+aiosqlite:///data/trial.db"
        )
    await mark_database_use(session, TRIAL, datetime.now(UTC))


@asynccontextmanager
async def running(
    settings: Settings,
    *,
    bot_session: BaseSession | None = None,
    clock: Clock | None = None,
    trial_people: Collection[int] | None = None,
) -> AsyncIterator[Runtime]:
    """The bot's parts, started. The terminal trial chat names the Telegram ids it plays
    (`trial_people`) and refuses a real bot's database; a real bot (BOT_TOKEN set) marks its
    database as such."""
    clock = clock or SystemClock()
    db = await prepare_database(
        settings, live=settings.bot_token is not None, trial_people=trial_people
    )
    bot = make_bot(settings, session=bot_session)
    nlu = NluClient(settings.nlu_url)
    rasa = RasaServer(settings.nlu_url, nlu)
    if settings.nlu_autostart:
        # In the background: menus and triage work at once, understanding once Rasa is up.
        rasa_start = asyncio.create_task(rasa.start_if_needed())
    warm_up_triage(settings.centre.triage)
    dp = build_dispatcher(settings, db, clock, nlu=nlu)
    i18n = make_i18n(settings.centre.centre.default_language)
    deliverer = Deliverer(bot, db.sessionmaker, clock, settings.centre, i18n)
    sweeps = DeliverySweeps(deliverer)
    jobs = JobsInFlight()
    scheduler = make_scheduler(
        sweeps, settings.centre.reminders.sweep_seconds, db, clock, settings.centre, jobs
    )
    scheduler.start()
    dp["nudge"] = sweeps.nudge
    try:
        yield Runtime(settings, db, clock, dp, bot, deliverer, scheduler, nlu)
    finally:
        if settings.nlu_autostart:
            rasa_start.cancel()
            await rasa.stop()
        await nlu.close()
        scheduler.pause()  # no new runs; those in flight end before the database closes
        await jobs.finish()
        scheduler.shutdown(wait=False)
        await sweeps.drain()
        await dp.storage.close()
        await bot.session.close()
        await db.dispose()
