"""Updates handled per second through the full stack (throttling, database session, current
user, locale, services, routers, SQL-backed conversation state on SQLite) versus a bare
aiogram echo dispatcher, in the same run on the same in-process Bot API. Prints the ratio.

Then what a flooding account costs the bot with the shipped rate limit (THROTTLE_RATE,
THROTTLE_BURST defaults): its refused updates per second the bot can turn away, and the
share of the bot's capacity a flood of FLOOD_RATE updates/s takes (the refill it is still
served at, plus the refused rest).

    make bench            (or: python -m tests.bench.bench_updates --updates 2000)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Dispatcher, F
from aiogram.types import Message

from bot.app import build_dispatcher, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.middlewares.throttling import Bucket
from bot.runtime import prepare_database
from bot.settings import settings_from_mapping
from flows.clock import FrozenClock

ROOT = Path(__file__).resolve().parents[2]
# What registered residents do most: open the menu, ask for help, press a menu button,
# type something nobody handles, open settings and press a button there.
MIX = ["/menu", "/help", "📅 预约", "我想问一下", "⚙️ 设置", "@settings-profile"]


async def _onboard(chat: LocalChat) -> None:
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号", "1940年代",
                  "1948", "3月", "1–7日", "5", "女", "幸福一社区", "跳过", "高血压", "选好了",
                  "没有", "对，保存"):  # fmt: skip
        await chat.press(label)


async def _drive(
    chats: list[LocalChat], updates: int, step: Callable[[LocalChat, int], Awaitable[object]]
) -> float:
    started = time.perf_counter()
    for i in range(updates):  # each person goes through the whole mix in turn
        await step(chats[(i // len(MIX)) % len(chats)], i)
    return updates / (time.perf_counter() - started)


async def full_stack_rate(updates: int, people: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_from_mapping({
            "CONFIG_PATH": str(ROOT / "config.yml"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
            "THROTTLE_RATE": "100000/second",
        })  # fmt: skip
        db = await prepare_database(settings)
        api = LocalBotApi()
        bot = make_bot(settings, session=api)
        clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        dp = build_dispatcher(settings, db, clock)
        chats = [LocalChat(dp, bot, api, telegram_id=20_000 + i, first_name="秀兰",
                           last_name="张") for i in range(people)]  # fmt: skip
        for chat in chats:
            await _onboard(chat)

        async def step(chat: LocalChat, i: int) -> object:
            action = MIX[i % len(MIX)]
            if action == "@settings-profile":
                return await chat.press("我的资料")
            return await chat.say(action)

        rate = await _drive(chats, updates, step)
        await db.dispose()
        return rate


async def bare_echo_rate(updates: int, people: int) -> float:
    settings = settings_from_mapping({"CONFIG_PATH": str(ROOT / "config.yml")})
    api = LocalBotApi()
    bot = make_bot(settings, session=api)
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    chats = [LocalChat(dp, bot, api, telegram_id=30_000 + i, first_name="echo")
             for i in range(people)]  # fmt: skip

    async def step(chat: LocalChat, i: int) -> object:
        return await chat.say(MIX[i % 5])

    return await _drive(chats, updates, step)


FLOOD_RATE = 100  # updates/s one account sends (a script; a person's thumb manages ~5)


async def refused_rate(updates: int) -> tuple[float, float]:
    """Refused updates/s, and the updates/s a flooding account is still served at."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_from_mapping(
            {
                "CONFIG_PATH": str(ROOT / "config.yml"),
                "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
            }
        )  # fmt: skip: the shipped THROTTLE_RATE and THROTTLE_BURST
        db = await prepare_database(settings)
        api = LocalBotApi()
        bot = make_bot(settings, session=api)
        clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
        dp = build_dispatcher(settings, db, clock)
        flooder = LocalChat(dp, bot, api, telegram_id=40_000, first_name="急")
        for _ in range(settings.throttle_burst + 1):  # spend the burst; be told once
            await flooder.say("/menu")
        before = len(api.sent)
        started = time.perf_counter()
        for _ in range(updates):  # the clock stands still: every one is refused
            await flooder.say("/menu")
        rate = updates / (time.perf_counter() - started)
        assert len(api.sent) == before, "a refused update reached the bot"
        await db.dispose()
        bucket = Bucket.from_settings(settings.throttle_rate, settings.throttle_burst)
        return rate, bucket.per_second


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--people", type=int, default=20)
    args = parser.parse_args()
    full = await full_stack_rate(args.updates, args.people)
    bare = await bare_echo_rate(args.updates, args.people)
    print(f"machine: {machine()}")
    print(f"full stack (SQLite): {full:8.0f} updates/s")
    print(f"bare aiogram echo:   {bare:8.0f} updates/s")
    print(f"ratio full/bare:     {full / bare:8.3f}  (bare is {bare / full:.1f}× faster)")
    refused, served = await refused_rate(args.updates * 4)
    share = served / full + (FLOOD_RATE - served) / refused
    print(f"refused (throttled): {refused:8.0f} updates/s")
    print(
        f"a flooding account at {FLOOD_RATE} updates/s is served {served:g}/s and costs "
        f"{share:.1%} of the full stack's capacity"
    )


if __name__ == "__main__":
    asyncio.run(main())
