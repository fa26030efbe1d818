"""The rate limit stops floods, not people: someone filling in the forms briskly is never
held up; a flood is cut to a trickle; a refused message is told once, kindly; a refused
button press is always answered, so it does not keep spinning; other people are not
affected."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Update

from bot.app import build_dispatcher, make_bot
from bot.local_api import LocalBotApi, Sent
from bot.local_chat import LocalChat
from bot.settings import Settings, settings_from_mapping
from flows.clock import FrozenClock
from storage.database import Database
from tests.conftest import ROOT
from tests.flows.journeys import onboard_by_buttons, sign_household_by_buttons

TOO_FAST = "您点得太快了，请稍等一会儿再试。"


class BriskChat(LocalChat):
    """A person who acts every `pace`: time moves on before each update they send."""

    def __init__(self, *args: object, clock: FrozenClock, pace: timedelta, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.clock, self.pace, self.updates = clock, pace, 0

    async def feed(self, update: Update) -> list[Sent]:
        self.clock.advance(self.pace)
        self.updates += 1
        return await super().feed(update)


Limited = Callable[[str, int], tuple[Dispatcher, Bot, LocalBotApi]]


@pytest.fixture
async def limited(settings: Settings, db: Database, clock: FrozenClock) -> AsyncIterator[Limited]:
    """`limited("60/minute", 10)`: a dispatcher of its own with that rate limit and burst (the
    test settings lift the limit), with its bot and Bot API."""
    made: list[Dispatcher] = []

    def make(rate: str, burst: int) -> tuple[Dispatcher, Bot, LocalBotApi]:
        api = LocalBotApi()
        limits = replace(settings, throttle_rate=rate, throttle_burst=burst)
        made.append(build_dispatcher(limits, db, clock))
        return made[-1], make_bot(settings, session=api), api

    yield make
    for dispatcher in made:
        await dispatcher.storage.close()


def shipped_limits() -> tuple[str, int]:
    """The limits the bot ships with (.env.example)."""
    shipped = settings_from_mapping({"CONFIG_PATH": str(ROOT / "config.yml")})
    return shipped.throttle_rate, shipped.throttle_burst


async def test_a_brisk_new_resident_onboards_and_signs_without_being_held_up(
    limited: Limited, clock: FrozenClock
) -> None:
    dp, bot, api = limited(*shipped_limits())
    chat = BriskChat(dp, bot, api, telegram_id=703, first_name="秀兰", last_name="张",
                     clock=clock, pace=timedelta(seconds=3))  # fmt: skip
    started = clock.now()

    await onboard_by_buttons(chat)
    await sign_household_by_buttons(chat)

    assert chat.updates >= 40 and clock.now() - started <= timedelta(minutes=2, seconds=10)
    assert not any(TOO_FAST in s.text for s in chat.screen())
    assert "申请已提交" in "\n".join(s.text for s in chat.screen()[-4:])


async def test_a_flood_is_cut_to_the_refill_rate(limited: Limited, clock: FrozenClock) -> None:
    dp, bot, api = limited("60/minute", 10)
    hasty = LocalChat(dp, bot, api, telegram_id=704, first_name="急")
    calm = LocalChat(dp, bot, api, telegram_id=705, first_name="慢")

    flood = [await hasty.say("/start") for _ in range(200)]  # all in one instant
    served = [reply for reply in flood if reply and reply[-1].text != TOO_FAST]
    assert len(served) == 10  # the burst
    assert sum(1 for reply in flood if [s.text for s in reply] == [TOO_FAST]) == 1

    clock.advance(timedelta(seconds=5))  # the bucket refills at one a second
    later = [await hasty.say("/start") for _ in range(20)]
    assert sum(1 for reply in later if reply and reply[-1].text != TOO_FAST) == 5

    assert await calm.say("/start")  # someone else is served as usual


async def test_every_refused_button_press_is_answered(limited: Limited) -> None:
    dp, bot, api = limited("60/minute", 3)
    hasty = LocalChat(dp, bot, api, telegram_id=706, first_name="急")
    await hasty.say("/start")
    button = hasty.buttons()[0]

    presses = [await hasty.press_button(button) for _ in range(50)]
    answered = [r for r in api.requests if isinstance(r, AnswerCallbackQuery)]
    assert len(answered) == 50  # no press left spinning
    toasts = [s.text for reply in presses for s in reply if s.kind == "toast"]
    assert toasts.count(TOO_FAST) == 1  # told once, the rest answered silently


async def test_a_refused_message_is_told_once_then_dropped(limited: Limited) -> None:
    dp, bot, api = limited("3/minute", 3)
    hasty = LocalChat(dp, bot, api, telegram_id=701, first_name="急")

    for _ in range(3):
        assert await hasty.say("/start")
    told = await hasty.say("/start")
    assert [s.text for s in told] == [TOO_FAST]
    assert await hasty.say("/start") == []
    assert await hasty.say("/start") == []
