"""With REDIS_URL set, conversation state and rate limits live in Redis: a restarted process
(a new Dispatcher) carries on the conversation, and two processes share one rate limit."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.app import build_dispatcher, make_bot
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import Settings
from flows.clock import FrozenClock
from storage.database import Database
from tests.conftest import IN_CI

REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis_settings(settings: Settings) -> AsyncIterator[Settings]:
    client = Redis.from_url(REDIS_TEST_URL)
    try:
        await client.flushdb()
    except (RedisConnectionError, OSError) as exc:
        await client.aclose()
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_TEST_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_TEST_URL} is unreachable: {exc}")
    yield replace(settings, redis_url=REDIS_TEST_URL)
    await client.flushdb()
    await client.aclose()


async def test_conversation_continues_after_a_restart_with_redis(
    redis_settings: Settings, db: Database, clock: FrozenClock
) -> None:
    api = LocalBotApi()
    bot = make_bot(redis_settings, session=api)
    first = build_dispatcher(redis_settings, db, clock)
    assert isinstance(first.storage, RedisStorage)
    chat = LocalChat(first, bot, api, telegram_id=801, first_name="秀兰", last_name="张")
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我"):
        await chat.press(label)
    assert "手机号" in chat.last_text()
    await first.storage.close()

    chat.dp = build_dispatcher(redis_settings, db, clock)
    await chat.say("/start")
    assert "手机号" in chat.last_text()
    await chat.dp.storage.close()


async def test_two_processes_share_one_rate_limit(
    redis_settings: Settings, db: Database, clock: FrozenClock
) -> None:
    limited = replace(redis_settings, throttle_rate="4/minute", throttle_burst=4)
    api = LocalBotApi()
    bot = make_bot(limited, session=api)
    one, two = build_dispatcher(limited, db, clock), build_dispatcher(limited, db, clock)
    make: Callable[..., LocalChat] = lambda dp: LocalChat(dp, bot, api, telegram_id=802,  # noqa: E731
                                                          first_name="急")  # fmt: skip
    on_one, on_two = make(one), make(two)
    for chat in (on_one, on_two, on_one, on_two):
        assert await chat.say("/start")
    told = await on_one.say("/start")
    assert [s.text for s in told] == ["您点得太快了，请稍等一会儿再试。"]
    assert await on_two.say("/start") == []
    for dp in (one, two):
        await dp.storage.close()
