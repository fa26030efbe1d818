"""Due messages reach people in their language, wait out quiet hours unless urgent, and a
person who blocked the bot is marked and not retried (until they come back). One message that
fails never holds up the others; one that keeps failing is given up, loudly; a red-flag alert
nobody could receive goes to the rest of the team and the duty contacts; two senders and a slow
Bot API never send a message twice."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.utils.i18n import I18n
from pydantic import ValidationError

from bot.app import make_bot, make_i18n
from bot.delivery import Deliverer, SweepResult, quiet_until, worker_id
from bot.local_api import LocalBotApi
from bot.runtime import DeliverySweeps
from bot.settings import Settings
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from flows.understanding.service import RED_FLAG_ALERT
from storage.database import Database
from storage.models import MessageState, Priority, Role, ScheduledMessage, User
from storage.outbox import schedule_message
from storage.users import load_or_create_user
from tests.conftest import ROOT, SHANGHAI

NOTICE = "这个功能正在准备中，很快就能用。\n有事可以先打中心电话：{phone}"


class BlockedBy(LocalBotApi):
    """Telegram answering 403 for one chat: that person blocked the bot."""

    def __init__(self, chat_id: int) -> None:
        super().__init__()
        self.blocked_chat = chat_id

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and int(method.chat_id) == self.blocked_chat:
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked")
        return await super().make_request(bot, method, timeout)


async def _person(
    db: Database, telegram_id: int, language: str, now: datetime, **fields: Any
) -> int:
    async with db.sessionmaker() as session:
        user = User(telegram_id=telegram_id, language=language, created_at=now, last_seen_at=now,
                    **fields)  # fmt: skip
        session.add(user)
        await session.commit()
        return user.id


async def _due(
    db: Database,
    user_id: int,
    now: datetime,
    priority: Priority,
    payload: dict[str, Any] | None = None,
    kind: str = "test",
) -> int:
    async with db.sessionmaker() as session:
        message = await schedule_message(
            session, kind=kind, recipient_user_id=user_id, due_at=now, now=now,
            payload=payload or {"text": NOTICE, "values": {"phone": "028-8765 4321"}},
            priority=priority,
        )  # fmt: skip
        await session.commit()
        assert message is not None
        return message.id


async def _row(db: Database, message_id: int) -> ScheduledMessage:
    async with db.sessionmaker() as session:
        message = await session.get(ScheduledMessage, message_id)
        assert message is not None
        return message


def _deliverer(
    settings: Settings,
    db: Database,
    clock: FrozenClock,
    api: BaseSession,
    centre: CentreConfig | None = None,
    i18n: I18n | None = None,
) -> Deliverer:
    return Deliverer(make_bot(settings, session=api), db.sessionmaker, clock,
                     centre or settings.centre, i18n or make_i18n("zh_CN"))  # fmt: skip


def _with_delivery(centre: CentreConfig, **changes: Any) -> CentreConfig:
    return centre.model_copy(update={"delivery": centre.delivery.model_copy(update=changes)})


class FailingFor(LocalBotApi):
    """Telegram (or a proxy in front of it) failing every send to some chats."""

    def __init__(self, chats: dict[int, Callable[[SendMessage], Exception]]) -> None:
        super().__init__()
        self.failing = chats

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and int(method.chat_id) in self.failing:
            raise self.failing[int(method.chat_id)](method)
        return await super().make_request(bot, method, timeout)


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


# ---- one failure stays with its message --------------------------------------------------------

FAILURES: dict[str, Callable[[SendMessage], Exception]] = {
    "telegram 5xx": lambda m: TelegramServerError(method=m, message="Bad Gateway"),
    "proxy error page": lambda m: ClientDecodeError("not JSON", ValueError("<html>"), "<html>"),
    "chat not found": lambda m: TelegramNotFound(method=m, message="Not Found: chat not found"),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
async def test_one_failing_send_does_not_hold_up_the_others(
    settings: Settings, db: Database, clock: FrozenClock, failure: str
) -> None:
    now = clock.now()
    failing = await _person(db, 601, "zh_CN", now)
    first = await _due(db, failing, now, Priority.URGENT)  # first in the batch
    others = [await _person(db, 602 + i, "zh_CN", now) for i in range(2)]
    for user in others:
        await _due(db, user, now, Priority.NORMAL)
    api = FailingFor({601: FAILURES[failure]})
    deliverer = _deliverer(settings, db, clock, api)

    result = await deliverer.sweep()

    assert result.sent == 2
    assert [len(api.in_chat(602)), len(api.in_chat(603))] == [1, 1]
    row = await _row(db, first)
    assert row.attempts == 1 and row.claim_token is None
    if failure == "chat not found":  # retrying cannot mend it
        assert row.state is MessageState.FAILED and "chat not found" in (row.last_error or "")
    else:  # backs off: due again later, not at once
        assert row.state is MessageState.PENDING and row.due_at > now
        assert (await deliverer.sweep()).sent == 0


async def test_a_text_that_renders_in_no_language_fails_alone(
    settings: Settings, db: Database, clock: FrozenClock, api: LocalBotApi
) -> None:
    now = clock.now()
    user = await _person(db, 611, "zh_CN", now)
    broken = await _due(
        db, user, now, Priority.URGENT, payload={"text": NOTICE, "values": {"tel": "1"}}
    )
    fine = await _due(db, user, now, Priority.NORMAL)
    result = await _deliverer(settings, db, clock, api).sweep()
    assert (result.sent, result.failed) == (1, 1)
    assert (await _row(db, fine)).state is MessageState.SENT
    row = await _row(db, broken)
    assert row.state is MessageState.FAILED and "KeyError" in (row.last_error or "")


class RenamedPlaceholder(I18n):
    """An English catalogue where a translator renamed {phone} to {telephone}."""

    def gettext(
        self, singular: str, plural: str | None = None, n: int = 1, locale: str | None = None
    ) -> str:  # type: ignore[override]
        text = super().gettext(singular, plural, n, locale)  # type: ignore[arg-type]
        return text.replace("{phone}", "{telephone}") if locale == "en" else text


async def test_a_broken_translation_still_reaches_the_reader_in_chinese(
    settings: Settings, db: Database, clock: FrozenClock, api: LocalBotApi,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    now = clock.now()
    user = await _person(db, 612, "en", now)
    message_id = await _due(db, user, now, Priority.NORMAL)
    i18n = RenamedPlaceholder(path=make_i18n("zh_CN").path, default_locale="zh_CN",
                              domain="messages")  # fmt: skip
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        assert (await _deliverer(settings, db, clock, api, i18n=i18n).sweep()).sent == 1
    assert api.in_chat(612)[0].text.startswith("这个功能正在准备中")
    assert "028-8765 4321" in api.in_chat(612)[0].text
    assert any(f"message {message_id}" in r.getMessage() for r in caplog.records)


async def test_a_message_that_keeps_failing_backs_off_then_ends_failed_and_logged(
    settings: Settings, db: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    now = clock.now()
    user = await _person(db, 621, "zh_CN", now)
    message_id = await _due(db, user, now, Priority.NORMAL)
    api = FailingFor({621: FAILURES["telegram 5xx"]})
    deliverer = _deliverer(settings, db, clock, api)
    policy = settings.centre.delivery
    waits = []
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        for _ in range(policy.max_attempts):
            await deliverer.sweep()
            row = await _row(db, message_id)
            if row.state is MessageState.FAILED:
                break
            waits.append(row.due_at - clock.now())
            clock.set(row.due_at)
    first = timedelta(seconds=policy.retry_first_seconds)
    assert waits == [first * 2**i for i in range(policy.max_attempts - 1)]  # 30 s, 1 min, 2, 4
    assert row.state is MessageState.FAILED and row.attempts == policy.max_attempts
    assert row.last_error == "TelegramServerError: Bad Gateway"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"message {message_id}" in e and "TelegramServerError" in e for e in errors)
    assert api.in_chat(621) == []
    clock.advance(timedelta(days=1))
    assert await deliverer.sweep() == SweepResult()  # never claimed again


# ---- a claim is fenced, a send never outlives its lease ----------------------------------------


class SlowBotApi(LocalBotApi):
    """A Bot API whose first sendMessage hangs (a stuck connection) until released."""

    def __init__(self) -> None:
        super().__init__()
        self.stuck = asyncio.Event()
        self.release = asyncio.Event()
        self.hung_once = False

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and not self.hung_once:
            self.hung_once = True
            self.stuck.set()
            await self.release.wait()
        return await super().make_request(bot, method, timeout)


async def test_two_deliverers_and_a_slow_bot_api_send_a_message_once(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    user = await _person(db, 631, "zh_CN", now)
    message_id = await _due(db, user, now, Priority.URGENT)
    centre = _with_delivery(settings.centre, claim_lease_seconds=0.5)  # short: a quick test
    api = SlowBotApi()
    first = _deliverer(settings, db, clock, api, centre)
    second = _deliverer(settings, db, clock, api, centre)

    hung = asyncio.create_task(first.sweep())
    await api.stuck.wait()
    # The first sender gives up before its lease runs out (it cannot know whether Telegram
    # got the message): the message is due again after a back-off.
    gave_up = await asyncio.wait_for(hung, timeout=10)
    assert gave_up.retrying == 1
    clock.advance(timedelta(minutes=10))  # past the lease and the back-off
    assert (await second.sweep()).sent == 1
    api.release.set()  # the stuck request was abandoned: nothing more goes out

    assert len(api.in_chat(631)) == 1
    row = await _row(db, message_id)
    assert row.state is MessageState.SENT and row.attempts == 1
    assert (await first.sweep(), await second.sweep()) == (SweepResult(), SweepResult())


class FloodControl(LocalBotApi):
    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage):
            raise TelegramRetryAfter(method=method, message="Too Many Requests",
                                     retry_after=self.retry_after)  # fmt: skip
        return await super().make_request(bot, method, timeout)


async def test_flood_control_longer_than_the_lease_gives_the_message_back_without_waiting(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    user = await _person(db, 641, "zh_CN", now)
    message_id = await _due(db, user, now, Priority.URGENT)
    api = FloodControl(retry_after=3600)
    result = await asyncio.wait_for(_deliverer(settings, db, clock, api).sweep(), timeout=10)
    assert result.postponed == 1
    row = await _row(db, message_id)
    assert row.state is MessageState.PENDING and row.claim_token is None
    assert row.due_at == now + timedelta(seconds=3600) and row.attempts == 0


class FloodOnce(LocalBotApi):
    """Flood control on the first send only, with a wait that fits in the lease."""

    def __init__(self) -> None:
        super().__init__()
        self.flooded = False

    async def make_request(self, bot, method: TelegramMethod[TelegramType], timeout=None):  # type: ignore[no-untyped-def]
        if isinstance(method, SendMessage) and not self.flooded:
            self.flooded = True
            raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=0)
        return await super().make_request(bot, method, timeout)


async def test_a_short_flood_control_wait_is_waited_out_in_the_same_send(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    user = await _person(db, 642, "zh_CN", now)
    message_id = await _due(db, user, now, Priority.URGENT)
    api = FloodOnce()
    assert (await _deliverer(settings, db, clock, api).sweep()).sent == 1
    assert len(api.in_chat(642)) == 1
    row = await _row(db, message_id)
    assert row.state is MessageState.SENT and row.attempts == 0


def test_every_deliverer_has_its_own_worker_id() -> None:
    a, b = worker_id(), worker_id()
    assert a != b and f":{os.getpid()}:" in a


# ---- red-flag alerts never fail quietly --------------------------------------------------------

RED_FLAG_VALUES = {
    "name": "张秀兰",
    "phone": "138 0013 8000",
    "reasons": "急性胸痛",
    "words": "胸口疼得厉害",
    "number": "120",
}


async def _staff_accounts(db: Database, now: datetime) -> dict[str, int]:
    """Bot accounts of team A (dr-wang, nurse-li, ph-zhao), of dr-chen (team B, on duty in
    config.yml), of nurse-zhou (team B, not on duty) and of one admin; telegram id = 700 + n."""
    accounts = {}
    staff = ["dr-wang", "nurse-li", "ph-zhao", "dr-chen", "nurse-zhou"]
    for n, staff_id in enumerate(staff, start=1):
        accounts[staff_id] = await _person(db, 700 + n, "zh_CN", now, role=Role.STAFF,
                                           staff_id=staff_id, onboarded_at=now)  # fmt: skip
    accounts["admin"] = await _person(db, 799, "zh_CN", now, role=Role.ADMIN, onboarded_at=now)
    return accounts


def _blocked(m: SendMessage) -> Exception:
    return TelegramForbiddenError(method=m, message="Forbidden: bot was blocked by the user")


async def test_a_red_flag_alert_a_nurse_cannot_get_goes_to_her_team_and_the_duty_contacts(
    settings: Settings, db: Database, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    now = clock.now()
    accounts = await _staff_accounts(db, now)
    payload = {"text": RED_FLAG_ALERT, "values": RED_FLAG_VALUES}
    alert = await _due(db, accounts["nurse-li"], now, Priority.RED_FLAG, payload, "red_flag_alert")
    api = FailingFor({702: _blocked})  # nurse-li blocked the bot

    with caplog.at_level(logging.ERROR):
        result = await _deliverer(settings, db, clock, api).sweep()

    # In the same sweep: her team mates (GP first), the doctor on duty and the admin.
    assert result.sent == 4 and result.failed == 1
    reached = {chat: len(api.in_chat(chat)) for chat in (701, 702, 703, 704, 705, 799)}
    assert reached == {701: 1, 702: 0, 703: 1, 704: 1, 705: 0, 799: 1}
    assert all("张秀兰" in api.in_chat(chat)[0].text for chat in (701, 703, 704, 799))
    assert (await _row(db, alert)).state is MessageState.FAILED
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("red-flag" in e and f"message {alert}" in e for e in errors)
    assert not any("张秀兰" in e or "138" in e for e in errors)  # ids only


async def test_a_red_flag_alert_that_fails_again_elsewhere_reaches_nobody_twice(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    accounts = await _staff_accounts(db, now)
    payload = {"text": RED_FLAG_ALERT, "values": RED_FLAG_VALUES}
    await _due(db, accounts["nurse-li"], now, Priority.RED_FLAG, payload, "red_flag_alert")
    # nurse-li and the GP blocked the bot; ph-zhao's chat answers 5xx every time.
    api = FailingFor({702: _blocked, 701: _blocked, 703: FAILURES["telegram 5xx"]})
    deliverer = _deliverer(settings, db, clock, api)
    for _ in range(6):
        await deliverer.sweep()
        clock.advance(timedelta(minutes=30))

    assert [len(api.in_chat(chat)) for chat in (704, 799)] == [1, 1]
    assert [len(api.in_chat(chat)) for chat in (701, 702, 703, 705)] == [0, 0, 0, 0]
    async with db.sessionmaker() as session:
        rows = (await session.scalars(
            ScheduledMessage.__table__.select().with_only_columns(
                ScheduledMessage.recipient_user_id, ScheduledMessage.state)
        )).all()  # fmt: skip
    assert len(rows) == 5  # nurse-li, then one copy each for wang, zhao, chen, admin


async def test_red_flag_alerts_fail_over_sooner_than_routine_messages(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    accounts = await _staff_accounts(db, now)
    payload = {"text": RED_FLAG_ALERT, "values": RED_FLAG_VALUES}
    await _due(db, accounts["dr-chen"], now, Priority.RED_FLAG, payload, "red_flag_alert")
    api = FailingFor({704: FAILURES["telegram 5xx"]})
    deliverer = _deliverer(settings, db, clock, api)
    for _ in range(settings.centre.delivery.red_flag_max_attempts):
        await deliverer.sweep()
        clock.advance(timedelta(minutes=1))
    # dr-chen's team mate nurse-zhou, dr-wang (on duty) and the admin have it; not the rest
    # of team A.
    assert [len(api.in_chat(chat)) for chat in (705, 701, 799, 702, 703)] == [1, 1, 1, 0, 0]


def test_duty_contacts_must_be_known_staff() -> None:
    raw = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    raw["delivery"]["duty"]["staff"] = ["dr-nobody"]
    with pytest.raises(ValidationError, match=r"delivery\.duty names unknown staff 'dr-nobody'"):
        CentreConfig.model_validate(raw)


# ---- after a block, what is still of use goes out when they come back --------------------------


async def test_notices_stopped_by_a_block_go_out_when_the_person_comes_back(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    now = clock.now()
    window = timedelta(hours=settings.centre.delivery.resend_after_unblock_hours)
    user = await _person(db, 651, "zh_CN", now)
    stale = await _due(db, user, now - window - timedelta(hours=1), Priority.NORMAL)
    fresh = await _due(db, user, now, Priority.NORMAL)
    api = BlockedBy(651)
    deliverer = _deliverer(settings, db, clock, api)
    assert (await deliverer.sweep()).failed == 2
    async with db.sessionmaker() as session:  # another notice while they are away
        message = await schedule_message(
            session, kind="test", recipient_user_id=user, due_at=now, now=now,
            payload={"text": NOTICE, "values": {"phone": "1"}},
        )  # fmt: skip
        await session.commit()
        assert message is not None
        while_away = message.id
    assert (await deliverer.sweep()).failed == 1

    clock.advance(timedelta(hours=2))
    api.blocked_chat = 0
    async with db.sessionmaker() as session:  # they press /start: any update does this
        await load_or_create_user(session, 651, clock.now())
        await session.commit()
    assert (await deliverer.sweep()).sent == 2
    assert len(api.in_chat(651)) == 2
    assert [(await _row(db, m)).state for m in (stale, fresh, while_away)] == [
        MessageState.FAILED, MessageState.SENT, MessageState.SENT,
    ]  # fmt: skip
