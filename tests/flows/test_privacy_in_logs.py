"""Logs carry ids and error kinds, never what people typed or who they are: not in the
message, and not in the traceback of a failure either (a database error would otherwise
print the SQL parameters or the failing row: birth dates, conditions). Each captured record
is formatted as an operator's log file shows it, traceback included, from every logger
(the bot's, aiogram's, APScheduler's, SQLAlchemy's)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.app import ErrorTally, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.logs import configure_logging
from bot.settings import Settings
from storage.database import Database
from storage.models import Household, Resident
from storage.models.enums import Relation, Sex
from tests.flows.journeys import OwnDispatcher, onboard_by_buttons

SECRETS = ("秀兰", "13912345678", "胸口", "160/100", "3栋2单元", "1948", "hypertension",
           "高血压")  # fmt: skip
# What an operator's log file shows: the line and, under it, the traceback.
FORMATTER = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(FORMATTER.format(record) for record in caplog.records)


def assert_no_secrets(text_: str) -> None:
    for secret in SECRETS:
        assert secret not in text_, f"{secret!r} reached the logs:\n{text_}"


@pytest.fixture
def talkative_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    configure_logging("DEBUG")  # the most talkative setting an operator can choose
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_no_personal_data_reaches_the_logs(
    person: Callable[..., LocalChat], talkative_logs: pytest.LogCaptureFixture
) -> None:
    chat = person(first_name="秀兰", last_name="张", phone="+8613912345678")
    await onboard_by_buttons(chat)
    await chat.say("我胸口有点闷，血压160/100，住在3栋2单元501")
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")

    assert_no_secrets(logged(talkative_logs))


async def refuse_new_residents(db: Database) -> None:
    """The database refuses the resident row, as a violated constraint would: the error
    carries the row's values (SQL parameters; PostgreSQL also quotes the failing row)."""
    async with db.engine.begin() as conn:
        if db.is_sqlite:
            await conn.execute(text(
                "CREATE TRIGGER refuse BEFORE INSERT ON residents "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            ))  # fmt: skip
        else:
            await conn.execute(text(
                "ALTER TABLE residents ADD CONSTRAINT refuse CHECK (birth_date IS NULL)"
            ))  # fmt: skip


async def save_a_resident(db: Database) -> None:
    """Writes 张秀兰 with her phone straight to the database (refused there, in these tests)."""
    async with db.sessionmaker() as session:
        now = datetime.now(UTC)
        household = Household(created_at=now)
        session.add(household)
        session.add(Resident(
            household=household, relation=Relation.SELF, name="张秀兰",
            phone="+8613912345678", birth_date=date(1948, 3, 5), sex=Sex.FEMALE,
            created_at=now, updated_at=now,
        ))  # fmt: skip
        await session.commit()


@pytest.fixture
def own_dp(own_dispatcher: OwnDispatcher, any_db: Database) -> tuple[Dispatcher, ErrorTally]:
    """Here the safety net is meant to catch the failure, on both databases."""
    return own_dispatcher(any_db)


async def test_a_database_error_in_a_handler_logs_no_personal_data(
    own_dp: tuple[Dispatcher, ErrorTally],
    settings: Settings,
    any_db: Database,
    talkative_logs: pytest.LogCaptureFixture,
) -> None:
    dp, tally = own_dp
    await refuse_new_residents(any_db)
    api = LocalBotApi()
    chat = LocalChat(dp, make_bot(settings, session=api), api, telegram_id=9201,
                     first_name="秀兰", last_name="张", phone="+8613912345678")  # fmt: skip
    await onboard_by_buttons(chat)  # the last step, saving, fails in the database

    assert tally.kinds == ["IntegrityError"]
    text_ = logged(talkative_logs)
    assert "Traceback" in text_ and "IntegrityError" in text_  # the traceback was logged
    assert_no_secrets(text_)


async def test_a_database_error_in_a_scheduled_job_logs_no_personal_data(
    any_db: Database, talkative_logs: pytest.LogCaptureFixture
) -> None:
    await refuse_new_residents(any_db)

    async def job() -> None:
        await save_a_resident(any_db)

    failed = asyncio.Event()

    def on_error(event: JobExecutionEvent) -> None:
        failed.set()

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_listener(on_error, EVENT_JOB_ERROR)
    scheduler.add_job(job, next_run_time=datetime.now(UTC))
    scheduler.start()
    try:
        await asyncio.wait_for(failed.wait(), timeout=30)
    finally:
        scheduler.shutdown(wait=False)

    text_ = logged(talkative_logs)
    assert "apscheduler" in text_ and "Traceback" in text_  # APScheduler logged the failure
    assert_no_secrets(text_)


async def test_an_error_that_escapes_to_aiogram_logs_no_personal_data(
    any_db: Database, bot: Bot, talkative_logs: pytest.LogCaptureFixture
) -> None:
    """Should an error ever get past the safety net, aiogram logs it with the exception's
    text in the message itself: that text names no values either."""
    await refuse_new_residents(any_db)
    bare = Dispatcher()  # no safety net: the error reaches aiogram's own logger

    @bare.message()
    async def save_resident(message: Message) -> None:
        await save_a_resident(any_db)

    said = Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=9301, type="private"),
                   text="我叫张秀兰")  # fmt: skip
    with pytest.raises(IntegrityError):
        await bare.feed_webhook_update(bot, Update(update_id=1, message=said))

    text_ = logged(talkative_logs)
    assert "aiogram.event" in text_ and "Cause exception" in text_
    assert_no_secrets(text_)
