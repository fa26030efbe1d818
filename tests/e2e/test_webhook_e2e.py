"""The bot in webhook mode, as deployed with WEBHOOK_URL: the emulator POSTs each update to the
bot's aiohttp server (with the secret header, as Telegram does) instead of queueing it for
getUpdates, and the bot answers through the Bot API as before."""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp
import pytest

from tests.e2e.client import Person
from tests.e2e.conftest import BotProcess
from tests.e2e.journeys import message_with, onboard

pytestmark = pytest.mark.e2e

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def test_webhook_mode_onboards_a_resident(webhook_person: Callable[..., Person]) -> None:
    await onboard(webhook_person(first_name="秀兰", last_name="张"))


async def test_webhook_refuses_updates_without_the_secret(
    webhook_bot: BotProcess, webhook_person: Callable[..., Person]
) -> None:
    assert webhook_bot.webhook_url is not None
    resident = webhook_person(first_name="Wei", last_name=None)
    user = {"id": resident.user_id, "is_bot": False, "first_name": "Wei"}
    forged_id = 990_000_001  # far from the emulator's update ids, to look for in the log
    forged = {
        "update_id": forged_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": resident.user_id, "type": "private", "first_name": "Wei"},
            "from": user,
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }
    offset = webhook_bot.log_size()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        for headers in ({}, {SECRET_HEADER: "not-the-secret"}):
            async with http.post(webhook_bot.webhook_url, json=forged, headers=headers) as response:
                assert response.status in (401, 403), (headers, response.status)

    # A real message afterwards shows what reached the bot: had the forged /start got through,
    # the language question would come first; instead the newcomer is asked to register.
    await resident.say("asdf")
    await resident.wait_for(message_with("先花一分钟登记"), "the invitation to register")
    screen = await resident.screen()
    assert len(screen.messages) == 1, screen.texts
    assert f"Update id={forged_id} " not in webhook_bot.log_since(offset)
