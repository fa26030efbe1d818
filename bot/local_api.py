"""An in-process stand-in for Telegram's servers: answers Bot API calls the way Telegram does
(message ids, edits, Telegram's own limits) and records every call. The trial chat renders
from it; flow tests and the benchmark read what was sent from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendMessage,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    Chat,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
BOT_USER = User(id=1, is_bot=True, first_name="家庭医生助手", username="familydoc_bot")


@dataclass
class Sent:
    """One thing the bot did in a chat: a message, an edit, or a callback answer."""

    kind: str  # message | edit | alert | toast
    chat_id: int
    text: str
    message_id: int | None = None
    inline: InlineKeyboardMarkup | None = None
    keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None = None


class LocalBotApi(BaseSession):
    def __init__(self, on_sent: Callable[[Sent], None] | None = None) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.calls: list[str] = []
        self.requests: list[TelegramMethod[Any]] = []
        self._messages: dict[tuple[int, int], Message] = {}
        self._next_id: dict[int, int] = {}
        self._on_sent = on_sent
        self._callbacks: dict[str, int] = {}  # callback query id -> chat id

    # -- the BaseSession contract --------------------------------------------------------------

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.calls.append(type(method).__name__)
        self.requests.append(method)
        if isinstance(method, GetMe):
            return BOT_USER  # type: ignore[return-value]
        if isinstance(method, SendMessage):
            return self._send(method)  # type: ignore[return-value]
        if isinstance(method, EditMessageText):
            return self._edit_text(method)  # type: ignore[return-value]
        if isinstance(method, EditMessageReplyMarkup):
            return self._edit_markup(method)  # type: ignore[return-value]
        if isinstance(method, AnswerCallbackQuery):
            self._answer_callback(method)
            return True  # type: ignore[return-value]
        # setMyCommands, deleteWebhook, sendChatAction, deleteMessage…: accepted.
        return True  # type: ignore[return-value]

    async def close(self) -> None:
        """Nothing to close: no network."""

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    # -- what tests and the trial chat use -----------------------------------------------------

    def note_callback(self, query_id: str, chat_id: int) -> None:
        """Remembers which chat a callback query came from, so its answer can be shown there."""
        self._callbacks[query_id] = chat_id

    def message(self, chat_id: int, message_id: int) -> Message | None:
        return self._messages.get((chat_id, message_id))

    def in_chat(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    # -- Telegram's behaviour ------------------------------------------------------------------

    def _send(self, method: SendMessage) -> Message:
        chat_id = int(method.chat_id)
        _check_text(method.text)
        inline = (
            method.reply_markup if isinstance(method.reply_markup, InlineKeyboardMarkup) else None
        )
        _check_inline(inline)
        message_id = self._next_id.get(chat_id, 0) + 1
        self._next_id[chat_id] = message_id
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=BOT_USER,
            text=method.text,
            reply_markup=inline,
        )
        self._messages[(chat_id, message_id)] = message
        keyboard = None if inline else method.reply_markup
        self._record(Sent("message", chat_id, method.text, message_id, inline, keyboard))  # type: ignore[arg-type]
        return message

    def _existing(self, chat_id: Any, message_id: int | None) -> Message:
        message = self._messages.get((int(chat_id or 0), int(message_id or 0)))
        if message is None:
            raise TelegramBadRequest(method=None, message="Bad Request: message to edit not found")  # type: ignore[arg-type]
        return message

    def _edit_text(self, method: EditMessageText) -> Message:
        old = self._existing(method.chat_id, method.message_id)
        _check_text(method.text)
        inline = method.reply_markup
        _check_inline(inline)
        if old.text == method.text and old.reply_markup == inline:
            raise TelegramBadRequest(method=method, message="Bad Request: message is not modified")
        new = old.model_copy(update={"text": method.text, "reply_markup": inline})
        self._messages[(old.chat.id, old.message_id)] = new
        self._record(Sent("edit", old.chat.id, method.text, old.message_id, inline))
        return new

    def _edit_markup(self, method: EditMessageReplyMarkup) -> Message:
        old = self._existing(method.chat_id, method.message_id)
        _check_inline(method.reply_markup)
        if old.reply_markup == method.reply_markup:
            raise TelegramBadRequest(method=method, message="Bad Request: message is not modified")
        new = old.model_copy(update={"reply_markup": method.reply_markup})
        self._messages[(old.chat.id, old.message_id)] = new
        self._record(Sent("edit", old.chat.id, old.text or "", old.message_id, method.reply_markup))
        return new

    def _answer_callback(self, method: AnswerCallbackQuery) -> None:
        chat_id = self._callbacks.pop(method.callback_query_id, 0)
        if method.text:
            kind = "alert" if method.show_alert else "toast"
            self._record(Sent(kind, chat_id, method.text))

    def _record(self, sent: Sent) -> None:
        self.sent.append(sent)
        if self._on_sent is not None:
            self._on_sent(sent)


def _check_text(text: str) -> None:
    if not text.strip():
        raise TelegramBadRequest(method=None, message="Bad Request: message text is empty")  # type: ignore[arg-type]
    if len(text) > MAX_TEXT:
        raise TelegramBadRequest(method=None, message="Bad Request: message is too long")  # type: ignore[arg-type]


def _check_inline(markup: InlineKeyboardMarkup | None) -> None:
    if markup is None:
        return
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            if data is not None and len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                raise TelegramBadRequest(method=None, message="Bad Request: BUTTON_DATA_INVALID")  # type: ignore[arg-type]
