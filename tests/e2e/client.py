"""A person in a private chat with the bot, driven over the emulator's client HTTP API.

telegram-test-api's client API: POST /sendMessage, /sendCommand, /sendCallback take a message
(or callback query) plus `botToken` and queue it for the bot's getUpdates; POST
/getUpdatesHistory {token} returns everything stored for that bot, including edits the bot made
to its own messages (its /getUpdates shows each bot message once, before any edit). The
emulator keeps what it stored, so the screen here is rebuilt from the history every time.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

T = TypeVar("T")

STEP_TIMEOUT = 10.0  # seconds the bot may take to answer one action
POLL_INTERVAL = 0.05


@dataclass(frozen=True)
class BotMessage:
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


class Person:
    """One Telegram user; every action waits until the bot visibly answers it."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        api_url: str,
        token: str,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        phone: str = "13800138000",
    ) -> None:
        self._http = http
        self._api_url = api_url.rstrip("/")
        self._token = token
        self.user_id = user_id
        self.phone = phone
        self._user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            self._user["last_name"] = last_name
        self._chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Bot"}

    # ---- what the person does ---------------------------------------------------------------

    async def say(self, text: str) -> None:
        """Types a message (a command when it starts with /) and waits for the bot to react."""
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            entities = [{"offset": 0, "length": length, "type": "bot_command"}]
            await self._act("/sendCommand", {**self._message(), "text": text, "entities": entities})
        else:
            await self._act("/sendMessage", {**self._message(), "text": text})

    async def send_sticker(self) -> None:
        sticker = {
            "file_id": "CAACAgIAAxkBAAIBQ2Zz",
            "file_unique_id": "AgADBgADwDZPEw",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        await self._act("/sendMessage", {**self._message(), "sticker": sticker})

    async def press(self, label: str, *, prefix: bool = False) -> None:
        """Presses the button labelled `label` once it shows: an inline button of the bot's
        latest message, else a button of the reply keyboard under the input field. With
        prefix=True, the first button whose label starts with `label` (labels that carry a
        count or a price: "陈静 副主任医师 · 还能签 1800 人")."""
        message, button = await self.wait_for(
            lambda s: s.find(label, prefix=prefix), f"a button {label!r}"
        )
        if message is None:  # reply keyboard: Telegram sends the label, or the shared contact
            if button.get("request_contact"):
                contact = {
                    "phone_number": self.phone,
                    "first_name": self._user["first_name"],
                    "user_id": self.user_id,
                }
                await self._act("/sendMessage", {**self._message(), "contact": contact})
            else:
                await self._act("/sendMessage", {**self._message(), "text": button["text"]})
            return
        query = {
            "botToken": self._token,
            "from": self._user,
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": self._chat,
                "from": self._bot_user,
                "text": message.text,
                "reply_markup": message.reply_markup,
            },
            "data": button["callback_data"],
        }
        await self._act("/sendCallback", query)

    # ---- what the person sees ---------------------------------------------------------------

    async def screen(self) -> Screen:
        async with self._http.post(
            f"{self._api_url}/getUpdatesHistory", json={"token": self._token}
        ) as response:
            response.raise_for_status()
            history = (await response.json())["result"]
        # Bot messages carry the raw sendMessage fields (chat_id); users' messages carry chat.
        mine = [
            item
            for item in history
            if str(item.get("message", {}).get("chat_id")) == str(self.user_id)
        ]
        mine.sort(key=lambda item: item["messageId"])
        return Screen(
            [
                BotMessage(
                    message_id=item["messageId"],
                    text=item["message"].get("text", ""),
                    reply_markup=item["message"].get("reply_markup"),
                )
                for item in mine
            ]
        )

    async def wait_for(self, check: Callable[[Screen], T | None], what: str) -> T:
        """Polls the screen until `check` returns something truthy, and returns that; fails
        after STEP_TIMEOUT seconds, showing the end of the chat."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            screen = await self.screen()
            if result := check(screen):
                return result
            if time.monotonic() > deadline:
                shown = "\n".join(f"  {m.text!r} {m.reply_markup}" for m in screen.messages[-3:])
                raise AssertionError(f"waited {STEP_TIMEOUT}s for {what}; the chat ends:\n{shown}")
            await asyncio.sleep(POLL_INTERVAL)

    # ---- plumbing ---------------------------------------------------------------------------

    def _message(self) -> dict[str, Any]:
        return {
            "botToken": self._token,
            "from": self._user,
            "chat": self._chat,
            "date": int(time.time()),
        }

    async def _act(self, path: str, body: dict[str, Any]) -> None:
        """Sends one update and waits until the bot has visibly reacted: a message or an edit.
        Silence is a bug in this bot, so it fails the test."""
        before = (await self.screen()).fingerprint()
        async with self._http.post(f"{self._api_url}{path}", json=body) as response:
            response.raise_for_status()
        await self.wait_for(lambda s: s.fingerprint() != before, f"an answer to {path} {body}")


@dataclass(frozen=True)
class Screen:
    """The bot's side of the chat as the person sees it now, oldest message first."""

    messages: list[BotMessage]

    @property
    def latest(self) -> BotMessage | None:
        return self.messages[-1] if self.messages else None

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    @property
    def reply_keyboard(self) -> list[str]:
        """Labels of the keyboard under the input field: the last one sent, until removed."""
        keyboard: list[str] = []
        for message in self.messages:
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                keyboard = [
                    b if isinstance(b, str) else b["text"]
                    for row in markup["keyboard"]
                    for b in row
                ]
            elif markup.get("remove_keyboard"):
                keyboard = []
        return keyboard

    def find(
        self, label: str, *, prefix: bool = False
    ) -> tuple[BotMessage | None, dict[str, Any]] | None:
        """The button a person would press for `label` (or, with prefix=True, the first whose
        label starts with it): an inline button of the latest message (older ones may still
        show buttons here, as the emulator ignores edits that drop a keyboard), else a button
        of the reply keyboard; (None, button) for the latter."""

        def matches(button: dict[str, Any]) -> bool:
            text = str(button.get("text", ""))
            return text.startswith(label) if prefix else text == label

        latest = self.latest
        if latest is not None:
            for button in latest.inline_buttons:
                if matches(button) and "callback_data" in button:
                    return latest, button
        for message in reversed(self.messages):
            markup = message.reply_markup or {}
            if markup.get("remove_keyboard"):
                break
            if "keyboard" in markup:
                for row in markup["keyboard"]:
                    for button in row:
                        button = {"text": button} if isinstance(button, str) else button
                        if matches(button):
                            return None, button
                break
        return None

    def fingerprint(self) -> str:
        return json.dumps([(m.message_id, m.text, m.reply_markup) for m in self.messages])
