"""Due messages reach people in their language, wait out quiet hours unless urgent, and a
person who blocked the bot is marked and not retried."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.app import make_bot, make_i18n
from bot.delivery import Deliverer, quiet_until
from bot.local_api import LocalBotApi
from bot.runtime import DeliverySweeps
from bot.settings import Settings
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import MessageState, Priority, ScheduledMessage, User
from storage.outbox import schedule_message
from tests.conftest import SHANGHAI


class BlockedBy(LocalBotApi):
    """Telegram answering 403 for one chat: that person blocked the bot."""

    def __init__(self, chat_id: int) -> None:
        super().__init__()
        self.blocked_chat = chat_id

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and int(method.chat_id) == self.blocked_chat:
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked")
        return await super().make_request(bot, method, timeout)


async def _person(db: Database, telegram_id: int, language: str, now: datetime) -> int:
    async with db.sessionmaker() as session:
        user = User(telegram_id=telegram_id, language=language, created_at=now, last_seen_at=now)
        session.add(user)
        await session.commit()
        return user.id


async def _due(db: Database, user_id: int, now: datetime, priority: Priority) -> int:
    async with db.sessionmaker() as session:
        message = await schedule_message(
            session, kind="test", recipient_user_id=user_id, due_at=now, now=now,
            payload={"text": "这个功能正在准备中，很快就能用。\n有事可以先打中心电话：{phone}",
                     "values": {"phone": "028-8765 4321"}},
            priority=priority,
        )  # fmt: skip
        await session.commit()
        assert message is not None
        return message.id


def _deliverer(settings: Settings, db: Database, clock: FrozenClock, api: LocalBotApi) -> Deliverer:
    i18n = make_i18n("zh_CN")
    return Deliverer(make_bot(settings, session=api), db.sessionmaker, clock, settings.centre, i18n)


async def test_due_message_is_sent_once_in_the_recipients_language(
    settings: Settings, db: Database, clock: FrozenClock, api: LocalBotApi
) -> None:
    now = clock.now()
    zh, en = await _person(db, 501, "zh_CN", now), await _person(db, 502, "en", now)
    await _due(db, zh, now, Priority.NORMAL)
    await _due(db, en, now, Priority.NORMAL)
    deliverer = _deliverer(settings, db, clock, api)

    result = await deliverer.sweep()
    again = await deliverer.sweep()

    assert (result.sent, again.sent) == (2, 0)
    assert "028-8765 4321" in api.in_chat(501)[0].text
    assert api.in_chat(501)[0].text.startswith("这个功能正在准备中")
    assert "coming soon" in api.in_chat(502)[0].text


async def test_quiet_hours_hold_routine_messages_but_not_urgent_ones(
    settings: Settings, db: Database, clock: FrozenClock, api: LocalBotApi
) -> None:
    clock.set(datetime(2026, 11, 23, 23, 0, tzinfo=SHANGHAI))
    now = clock.now()
    user = await _person(db, 503, "zh_CN", now)
    routine = await _due(db, user, now, Priority.NORMAL)
    await _due(db, user, now, Priority.URGENT)
    deliverer = _deliverer(settings, db, clock, api)

    result = await deliverer.sweep()
    assert (result.sent, result.postponed) == (1, 1)
    async with db.sessionmaker() as session:
        held = await session.get(ScheduledMessage, routine)
        assert held is not None and held.state is MessageState.PENDING
        assert held.due_at == datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)

    clock.set(datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI))
    assert (await deliverer.sweep()).sent == 1
    assert len(api.in_chat(503)) == 2


async def test_blocked_bot_marks_the_person_and_gives_up(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    user = await _person(db, 504, "zh_CN", now)
    message_id = await _due(db, user, now, Priority.NORMAL)
    deliverer = _deliverer(settings, db, clock, BlockedBy(504))

    result = await deliverer.sweep()
    assert result.failed == 1
    async with db.sessionmaker() as session:
        person = await session.get(User, user)
        message = await session.get(ScheduledMessage, message_id)
        assert person is not None and person.blocked_bot_at == now
        assert message is not None and message.state is MessageState.FAILED
    clock.advance(timedelta(hours=1))
    assert (await deliverer.sweep()).sent == 0


def test_quiet_hours_span_midnight(centre: CentreConfig) -> None:
    evening = datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI)
    early = datetime(2026, 11, 24, 6, 59, tzinfo=SHANGHAI)
    midday = datetime(2026, 11, 24, 12, 0, tzinfo=SHANGHAI)
    assert quiet_until(evening, centre) == datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)
    assert quiet_until(early, centre) == datetime(2026, 11, 24, 7, 30, tzinfo=SHANGHAI)
    assert quiet_until(midday, centre) is None


class _CountingSweeps:
    """Stands in for the Deliverer: counts sweeps; the first waits until released."""

    def __init__(self) -> None:
        self.count = 0
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def sweep(self) -> None:
        self.count += 1
        if self.count == 1:
            self.started.set()
            await self.release.wait()


async def test_a_nudge_during_a_sweep_runs_another_sweep_right_after() -> None:
    counting = _CountingSweeps()
    sweeps = DeliverySweeps(counting)  # type: ignore[arg-type]
    sweeps.nudge()
    await counting.started.wait()
    sweeps.nudge()  # a notice was queued after the running sweep claimed its rows
    sweeps.nudge()  # several nudges meanwhile: one more sweep is enough
    counting.release.set()
    await sweeps.drain()
    assert counting.count == 2
