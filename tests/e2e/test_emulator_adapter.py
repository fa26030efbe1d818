"""The json_loads adapter in run_bot.py, on answers shaped as telegram-test-api 4.2.1 sends
them (lib/routes/bot/*.js, lib/telegramServer.js). Needs neither node nor the emulator.

Each case first shows that aiogram rejects the raw answer: when an emulator upgrade fixes a
quirk, that assertion fails and says which patch to delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError, TelegramServerError
from aiogram.methods import GetMe, GetUpdates, SendMessage, SetMyCommands, TelegramMethod
from aiogram.types import BotCommand, Update
from pydantic import ValidationError

from tests.e2e.run_bot import emulator_json_loads

TOKEN = "123456:e2e-test-token-AAAAAAAAAAAAAAAA"
NOW = 1_795_430_000  # seconds


@pytest.fixture
def bot() -> Bot:
    # check_response only parses: no HTTP session is opened, nothing to close.
    return Bot(TOKEN, session=AiohttpSession(json_loads=emulator_json_loads))


def _check(bot: Bot, method: TelegramMethod[Any], body: dict[str, Any], status: int = 200) -> Any:
    return bot.session.check_response(bot, method, status, json.dumps(body)).result


def _raw_is_rejected(bot: Bot, method: TelegramMethod[Any], body: dict[str, Any]) -> None:
    raw = AiohttpSession()  # plain json.loads
    with pytest.raises(ClientDecodeError):
        raw.check_response(bot, method, 200, json.dumps(body))


def test_get_me_gets_is_bot(bot: Bot) -> None:
    body = {"ok": True, "result": {"username": "TestNameBot", "first_name": "Test", "id": 666}}
    _raw_is_rejected(bot, GetMe(), body)
    me = _check(bot, GetMe(), body)
    assert me.is_bot is True and me.username == "TestNameBot"


def test_callback_query_gets_chat_instance(bot: Bot) -> None:
    user = {"id": 700001, "is_bot": False, "first_name": "秀兰"}
    message = {
        "message_id": 2,
        "date": NOW,
        "chat": {"id": 700001, "type": "private"},
        "text": "请选择语言",
    }
    body = {
        "ok": True,
        "result": [
            {
                "update_id": 3,
                "callback_query": {"id": "1", "from": user, "message": message, "data": "ob:x:y"},
            }
        ],
    }
    _raw_is_rejected(bot, GetUpdates(), body)
    (update,) = _check(bot, GetUpdates(), body)
    assert update.callback_query.chat_instance == "700001"
    assert update.callback_query.data == "ob:x:y"


def test_callback_query_posted_to_a_webhook_gets_chat_instance() -> None:
    # A webhook request's body is one bare update (TelegramServer.formatUpdate), which aiogram's
    # SimpleRequestHandler reads with bot.session.json_loads.
    update = {
        "update_id": 4,
        "callback_query": {
            "id": "2",
            "from": {"id": 700001, "is_bot": False, "first_name": "秀兰"},
            "message": {"message_id": 2, "date": NOW, "chat": {"id": 700001, "type": "private"}},
            "data": "ob:x:y",
        },
    }
    with pytest.raises(ValidationError, match="chat_instance"):
        Update.model_validate(json.loads(json.dumps(update)))
    parsed = Update.model_validate(emulator_json_loads(json.dumps(update)))
    assert parsed.callback_query is not None
    assert parsed.callback_query.chat_instance == "700001"


def test_sent_message_date_becomes_seconds(bot: Bot) -> None:
    body = {
        "ok": True,
        "result": {
            "chat_id": "700001",
            "text": "hi",
            "message_id": 7,
            "date": NOW * 1000,
            "chat": {"id": 700001, "first_name": "Bot", "type": "private"},
        },
    }
    sent = _check(bot, SendMessage(chat_id=700001, text="hi"), body)
    assert int(sent.date.timestamp()) == NOW


def test_unsupported_method_is_a_server_error_not_a_decode_error(bot: Bot) -> None:
    body = {"message": "API method 'setMyCommands' is not supported."}
    method = SetMyCommands(commands=[BotCommand(command="menu", description="menu")])
    _raw_is_rejected(bot, method, body)
    with pytest.raises(TelegramServerError, match="setMyCommands"):
        _check(bot, method, body, status=500)
