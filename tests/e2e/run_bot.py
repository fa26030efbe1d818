"""Tests only: the real bot against the telegram-test-api emulator instead of Telegram.

    TELEGRAM_API_URL=http://127.0.0.1:PORT BOT_TOKEN=… python -m tests.e2e.run_bot

Runs production's `bot.runner.run_bot`, so WEBHOOK_URL (with WEBHOOK_LISTEN, WEBHOOK_SECRET)
chooses a webhook server over long polling just as in production. Settings come from the
environment only (no .env). The emulator speaks a loose dialect of the Bot API;
`emulator_json_loads` patches its answers, and the updates it POSTs to a webhook, so aiogram's
strict models accept them. Production code never sees this adapter: only the end-to-end tests
start this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.runner import run_bot
from bot.settings import Settings, load_settings

# The emulator answers getUpdates at once; pausing on an empty answer stands in for Telegram's
# long polling so the bot and the emulator do not spin a CPU each.
EMPTY_POLL_PAUSE = 0.02


def emulator_json_loads(text: str) -> Any:
    """json.loads plus the fields telegram-test-api 4.2.1 leaves out or gets wrong:

    - errors of unsupported methods lack `ok` (→ ok=false, error_code 500, description);
    - getMe lacks `is_bot` (→ true);
    - callback queries lack `chat_instance` (→ the user's id: chats here are private), both in
      getUpdates answers and in updates POSTed to a webhook (aiogram's SimpleRequestHandler
      parses those with bot.session.json_loads, i.e. this function);
    - sent messages are dated in milliseconds (→ seconds).
    Messages it returns do carry `chat.type` ("private"); users' updates carry whatever the
    test client sends, which is complete (see client.py).
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        return data
    if "update_id" in data:  # a webhook request's body: one bare update
        _patch_update(data)
        return data
    if "ok" not in data:
        # Unsupported methods (and unknown routes) answer HTTP 500 {"message": …}: turn that
        # into a Bot API error so aiogram raises TelegramServerError naming the problem,
        # instead of a ClientDecodeError about a missing `ok`.
        return {"ok": False, "error_code": 500, "description": str(data.get("message", text))}
    result = data.get("result")
    if isinstance(result, list):  # getUpdates
        for update in result:
            if isinstance(update, dict):
                _patch_update(update)
    elif isinstance(result, dict):
        if "message_id" in result:  # sendMessage
            date = result.get("date")
            if isinstance(date, int | float) and date > 10**11:
                # Milliseconds (JavaScript's Date.getTime()); the Bot API counts seconds.
                result["date"] = int(date // 1000)
        elif "first_name" in result:  # getMe omits is_bot, which aiogram's User requires
            result.setdefault("is_bot", True)
    return data


def _patch_update(update: dict[str, Any]) -> None:
    query = update.get("callback_query")
    if isinstance(query, dict):
        # Telegram always sends it; in a private chat the user's id is a fair stand-in.
        query.setdefault("chat_instance", str((query.get("from") or {}).get("id")))


class EmulatorSession(AiohttpSession):
    """AiohttpSession that paces polling against a server without long polling."""

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        result = await super().make_request(bot, method, timeout)
        if isinstance(method, GetUpdates) and not result:
            await asyncio.sleep(EMPTY_POLL_PAUSE)
        return result


async def serve(settings: Settings) -> None:
    if not settings.telegram_api_url or not settings.bot_token:
        raise SystemExit("run_bot: set TELEGRAM_API_URL and BOT_TOKEN (tests only)")
    session = EmulatorSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_url),
        json_loads=emulator_json_loads,
    )
    # The emulator has no setMyCommands: run_bot logs a warning and carries on.
    await run_bot(settings, bot_session=session)


def main() -> None:
    settings = load_settings(env_file=None)
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(serve(settings))


if __name__ == "__main__":
    main()
