"""A person chatting with the real Dispatcher in-process: builds the updates Telegram would
send (text, button presses, a shared contact, a sticker…) and feeds them. Used by the
terminal trial chat and by the flow tests, so both exercise exactly the same path."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    Contact,
    Document,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Sticker,
    Update,
    User,
)

from bot.local_api import LocalBotApi, Sent

_update_ids = itertools.count(1)


@dataclass(frozen=True)
class VisibleButton:
    """A button the person can see now: on a recent message, or on their keyboard."""

    text: str
    callback_data: str | None = None  # inline button
    message_id: int | None = None
    request_contact: bool = False


class LocalChat:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        api: LocalBotApi,
        *,
        telegram_id: int,
        first_name: str,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
        phone: str = "+8613800138000",
    ) -> None:
        self.dp, self.bot, self.api = dp, bot, api
        self.person = User(
            id=telegram_id,
            is_bot=False,
            first_name=first_name,
            last_name=last_name,
            language_code=language_code,
        )
        self.phone = phone
        self.chat = Chat(id=telegram_id, type="private", first_name=first_name)
        self._own_ids = itertools.count(1_000_000)
        self._last_own_id = 0

    # -- what the person does ------------------------------------------------------------------

    async def say(self, text: str) -> list[Sent]:
        return await self._message(text=text)

    async def share_contact(
        self, phone: str | None = None, of_user: int | None = None
    ) -> list[Sent]:
        contact = Contact(
            phone_number=phone or self.phone,
            first_name=self.person.first_name,
            user_id=self.person.id if of_user is None else of_user,
        )
        return await self._message(contact=contact)

    async def send_sticker(self) -> list[Sent]:
        sticker = Sticker(
            file_id="sticker", file_unique_id="s", type="regular", width=512, height=512,
            is_animated=False, is_video=False,
        )  # fmt: skip
        return await self._message(sticker=sticker)

    async def send_photo(self, caption: str | None = None) -> list[Sent]:
        photo = [PhotoSize(file_id="photo", file_unique_id="p", width=1280, height=960)]
        return await self._message(photo=photo, caption=caption)

    async def send_document(self, file_name: str, caption: str | None = None) -> list[Sent]:
        document = Document(file_id="document", file_unique_id="d", file_name=file_name)
        return await self._message(document=document, caption=caption)

    async def edit(self, text: str, message_id: int | None = None) -> list[Sent]:
        """Edits a message the person sent (by default their latest), as Telegram reports it:
        an ``edited_message`` update."""
        now = datetime.now(UTC)
        message = Message(
            message_id=self._last_own_id if message_id is None else message_id,
            date=now, edit_date=int(now.timestamp()), chat=self.chat, from_user=self.person,
            text=text,
        )  # fmt: skip
        return await self.feed(Update(update_id=next(_update_ids), edited_message=message))

    async def press(self, label: str) -> list[Sent]:
        """Presses the visible button labelled `label`, else the newest one containing it."""
        buttons = self.buttons()
        exact = [b for b in buttons if b.text == label]
        for button in exact or [b for b in reversed(buttons) if label in b.text]:
            return await self.press_button(button)
        shown = [b.text for b in self.buttons()]
        raise LookupError(f"no button {label!r} on screen; visible: {shown}")

    async def press_button(self, button: VisibleButton) -> list[Sent]:
        if button.callback_data is not None and button.message_id is not None:
            return await self.press_data(button.callback_data, button.message_id)
        if button.request_contact:
            return await self.share_contact()
        return await self.say(button.text)

    async def press_data(self, data: str, message_id: int) -> list[Sent]:
        """A callback with any data on any message id, as a client (or a forger) can send."""
        message = self.api.message(self.chat.id, message_id)
        query_id = str(next(_update_ids))
        self.api.note_callback(query_id, self.chat.id)
        query = CallbackQuery(
            id=query_id,
            from_user=self.person,
            chat_instance=str(self.chat.id),
            message=message,
            data=data,
        )
        return await self.feed(Update(update_id=next(_update_ids), callback_query=query))

    async def feed(self, update: Update) -> list[Sent]:
        before = len(self.api.sent)
        await self.dp.feed_update(self.bot, update)
        return [s for s in self.api.sent[before:] if s.chat_id == self.chat.id]

    # -- what the person sees ------------------------------------------------------------------

    def screen(self) -> list[Sent]:
        return self.api.in_chat(self.chat.id)

    def last_text(self) -> str:
        texts = [s.text for s in self.screen() if s.kind == "message"]
        return texts[-1] if texts else ""

    def messages_with_buttons(self) -> dict[int, InlineKeyboardMarkup]:
        """Every message in the chat whose inline buttons still show, by message id."""
        latest_inline: dict[int, InlineKeyboardMarkup | None] = {}
        for sent in self.screen():
            if sent.message_id is not None and sent.kind in ("message", "edit"):
                latest_inline[sent.message_id] = sent.inline
        return {mid: markup for mid, markup in latest_inline.items() if markup is not None}

    def buttons(self) -> list[VisibleButton]:
        """Inline buttons of the newest message that has any, then the reply keyboard."""
        visible: list[VisibleButton] = []
        keyboard: ReplyKeyboardMarkup | None = None
        for sent in self.screen():
            if isinstance(sent.keyboard, ReplyKeyboardMarkup):
                keyboard = sent.keyboard
            elif isinstance(sent.keyboard, ReplyKeyboardRemove):
                keyboard = None
        with_buttons = self.messages_with_buttons()
        if with_buttons:
            newest = max(with_buttons)
            markup = with_buttons[newest]
            for row in markup.inline_keyboard:
                for b in row:
                    visible.append(VisibleButton(b.text, b.callback_data, newest))
        if keyboard is not None:
            for row in keyboard.keyboard:
                for b in row:
                    visible.append(VisibleButton(b.text, request_contact=bool(b.request_contact)))
        return visible

    # -- building updates ----------------------------------------------------------------------

    async def _message(self, **content: Any) -> list[Sent]:
        self._last_own_id = next(self._own_ids)
        message = Message(
            message_id=self._last_own_id,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.person,
            **content,
        )
        return await self.feed(Update(update_id=next(_update_ids), message=message))
