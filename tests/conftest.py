"""Shared fixtures: a real database (SQLite file; PostgreSQL when TEST_POSTGRES_URL is set),
the real Dispatcher, and an in-process Bot API that records what the bot sent."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot, Dispatcher
from sqlalchemy import text

from bot.app import ErrorTally, build_dispatcher, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import Settings, load_centre, settings_from_mapping
from flows.admin.service import sync_centre
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from storage.types import configure_pii_key, new_pii_key

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ZoneInfo("Asia/Shanghai")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session", autouse=True)
def pii_key() -> str:
    key = new_pii_key()
    configure_pii_key(key)
    return key


@pytest.fixture(scope="session")
def centre() -> CentreConfig:
    return load_centre(ROOT / "config.yml")


@pytest.fixture
def clock() -> FrozenClock:
    # A Monday morning in the centre's zone.
    return FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))


def postgres_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if IN_CI:
            pytest.fail("TEST_POSTGRES_URL is not set in CI: PostgreSQL tests must run there")
        pytest.skip("PostgreSQL tests need TEST_POSTGRES_URL (make test sets it)")
    return url


async def _fresh_postgres(url: str) -> Database:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    except OSError as exc:  # connection refused
        await db.dispose()
        message = f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return db


async def open_database(kind: str, tmp_path: Path, centre: CentreConfig) -> Database:
    if kind == "postgres":
        db = await _fresh_postgres(postgres_url() or "")
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'familydoc.db'}")
    await db.upgrade()
    async with db.sessionmaker() as session:
        await sync_centre(session, centre)
        await session.commit()
    return db


@pytest.fixture
async def db(tmp_path: Path, centre: CentreConfig) -> AsyncIterator[Database]:
    """SQLite: the default deployment, used by flow tests."""
    database = await open_database("sqlite", tmp_path, centre)
    yield database
    await database.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, centre: CentreConfig
) -> AsyncIterator[Database]:
    """Storage tests run on both databases."""
    database = await open_database(request.param, tmp_path, centre)
    yield database
    await database.dispose()


@pytest.fixture
def settings(db: Database) -> Settings:
    return settings_from_mapping(
        {
            "CONFIG_PATH": str(ROOT / "config.yml"),
            "DATABASE_URL": db.url,
            "THROTTLE_RATE": "1000/second",
        }
    )


@pytest.fixture
def api() -> LocalBotApi:
    return LocalBotApi()


@pytest.fixture
def bot(settings: Settings, api: LocalBotApi) -> Bot:
    return make_bot(settings, session=api)


@pytest.fixture
async def dp(settings: Settings, db: Database, clock: FrozenClock) -> AsyncIterator[Dispatcher]:
    tally = ErrorTally()
    dispatcher = build_dispatcher(settings, db, clock, errors=tally)
    yield dispatcher
    await dispatcher.storage.close()
    # Nothing may have fallen through to the safety net: a handler crash is a test failure.
    assert tally.count == 0, f"handlers crashed: {tally.kinds}"


PersonFactory = Callable[..., Awaitable[LocalChat]]


@pytest.fixture
def person(dp: Dispatcher, bot: Bot, api: LocalBotApi) -> Callable[..., LocalChat]:
    ids = iter(range(5001, 9999))

    def make(first_name: str = "秀兰", last_name: str | None = "张", **kwargs: object) -> LocalChat:
        return LocalChat(
            dp,
            bot,
            api,
            telegram_id=next(ids),
            first_name=first_name,
            last_name=last_name,
            **kwargs,
        )  # type: ignore[arg-type]

    return make
