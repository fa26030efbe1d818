"""With REDIS_URL set, conversation state and rate limits live in Redis: a restarted process
(a new Dispatcher) carries on the conversation, and two processes share one rate limit. The
state is encrypted like the SQL storage's, and expires once abandoned."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import pytest
from aiogram.fsm.storage.base import StorageKey
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


async def test_conversation_state_in_redis_is_encrypted_and_expires(
    redis_settings: Settings, db: Database, clock: FrozenClock
) -> None:
    api = LocalBotApi()
    bot = make_bot(redis_settings, session=api)
    dp = build_dispatcher(redis_settings, db, clock)
    chat = LocalChat(dp, bot, api, telegram_id=803, first_name="秀兰", last_name="张",
                     phone="+8613912345678")  # fmt: skip
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号"):
        await chat.press(label)
    await dp.storage.close()

    client = Redis.from_url(REDIS_TEST_URL)
    try:
        keys = [k async for k in client.scan_iter("fsm:*")]
        raw = b"".join([await client.get(k) or b"" for k in keys])
        ttls = [await client.ttl(k) for k in keys]
    finally:
        await client.aclose()
    assert keys and raw
    for plain in ("13912345678", "秀兰", json.dumps("秀兰")[1:-1]):  # as is, or \\u-escaped
        assert plain.encode() not in raw
    hours = redis_settings.centre.conversation.abandon_after_hours
    assert all(0 < ttl <= hours * 3600 for ttl in ttls)  # abandoned drafts go away

    # Round trip: a new process reads the draft back and carries on.
    again = build_dispatcher(redis_settings, db, clock)
    key = StorageKey(bot_id=bot.id, chat_id=803, user_id=803)
    data = await again.storage.get_data(key)
    assert data and "+8613912345678" in json.dumps(data, ensure_ascii=False)
    await again.storage.close()
