"""Someone pressing too fast is told once, kindly, then ignored until the window passes;
other people are not affected."""

from __future__ import annotations

from dataclasses import replace

from bot.app import build_dispatcher, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import Settings
from flows.clock import FrozenClock
from storage.database import Database


async def test_flooding_is_told_once_then_dropped(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    api = LocalBotApi()
    bot = make_bot(settings, session=api)
    dp = build_dispatcher(replace(settings, throttle_rate="3/minute"), db, clock)
    hasty = LocalChat(dp, bot, api, telegram_id=701, first_name="急")
    calm = LocalChat(dp, bot, api, telegram_id=702, first_name="慢")

    for _ in range(3):
        assert await hasty.say("/start")
    told = await hasty.say("/start")
    assert [s.text for s in told] == ["您点得太快了，请稍等一会儿再试。"]
    assert await hasty.say("/start") == []
    assert await hasty.say("/start") == []

    assert await calm.say("/start")  # someone else is served as usual
