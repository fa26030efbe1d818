"""Sending what is due: claims rows from the outbox, renders them in the recipient's
language, and sends within Telegram's limits (≈30 messages/s overall, 1/s per chat),
retrying on flood control and network errors; a blocked bot marks the user inactive."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiolimiter import AsyncLimiter
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from flows.centre import CentreConfig
from flows.clock import Clock
from storage.models import Priority, ScheduledMessage, User
from storage.outbox import claim_due_messages, mark_failed, mark_sent, postpone

log = logging.getLogger(__name__)
GLOBAL_PER_SECOND = 25  # under Telegram's ~30/s
CHAT_LIMITERS_KEPT = 10_000


@dataclass(frozen=True)
class SweepResult:
    sent: int = 0
    postponed: int = 0
    failed: int = 0


def quiet_until(moment: datetime, centre: CentreConfig) -> datetime | None:
    """The end of quiet hours if `moment` falls inside them, else None."""
    local = moment.astimezone(centre.zone)
    start, end = centre.quiet_hours.start, centre.quiet_hours.end
    now_t = local.time()
    inside = (start <= now_t or now_t < end) if start > end else (start <= now_t < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if start > end and now_t >= start else local.date()
    return datetime.combine(end_day, end, tzinfo=centre.zone)


class Deliverer:
    def __init__(
        self,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        centre: CentreConfig,
        i18n: I18n,
        worker: str | None = None,
    ) -> None:
        self._bot, self._sessionmaker, self._clock = bot, sessionmaker, clock
        self._centre, self._i18n = centre, i18n
        self._worker = worker or f"{socket.gethostname()}:{id(self)}"
        self._global = AsyncLimiter(GLOBAL_PER_SECOND, 1)
        self._per_chat: dict[int, AsyncLimiter] = {}

    async def sweep(self) -> SweepResult:
        """One pass: claim what is due and send it. Safe to run in several processes."""
        now = self._clock.now()
        async with self._sessionmaker() as session:
            claimed = await claim_due_messages(session, now=now, worker=self._worker)
        sent = postponed = failed = 0
        for message in claimed:
            outcome = await self._deliver(message, now)
            sent += outcome == "sent"
            postponed += outcome == "postponed"
            failed += outcome == "failed"
        return SweepResult(sent, postponed, failed)

    async def _deliver(self, message: ScheduledMessage, now: datetime) -> str:
        async with self._sessionmaker() as session:
            user = await session.get(User, message.recipient_user_id)
            if user is None or user.blocked_bot_at is not None:
                await mark_failed(session, message.id, error="recipient unreachable", retry_at=None)
                await session.commit()
                return "failed"
            wake = quiet_until(now, self._centre)
            if wake is not None and message.priority is Priority.NORMAL:
                await postpone(session, message.id, until=wake)
                await session.commit()
                return "postponed"
            locale = user.language or self._centre.centre.default_language
            text, markup = self._render(message, locale), self._buttons(message, locale)
            try:
                await self._send(user.telegram_id, text, markup)
            except TelegramForbiddenError:
                user.blocked_bot_at = now
                await mark_failed(session, message.id, error="bot blocked", retry_at=None)
            except (TelegramNetworkError, TelegramRetryAfter) as exc:
                await mark_failed(
                    session,
                    message.id,
                    error=type(exc).__name__,
                    retry_at=now + timedelta(minutes=5),
                )
            except TelegramBadRequest as exc:
                await mark_failed(session, message.id, error=exc.message[:200], retry_at=None)
            else:
                await mark_sent(session, message.id, now)
                await session.commit()
                return "sent"
            await session.commit()
            return "failed"

    def _render(self, message: ScheduledMessage, locale: str) -> str:
        payload = message.payload
        template = self._i18n.gettext(str(payload.get("text", "")), locale=locale)
        values = dict(payload.get("values") or {})
        for key in payload.get("translate") or []:  # values that are catalogue ids themselves
            values[key] = self._i18n.gettext(str(values.get(key, "")), locale=locale)
        for key in payload.get("dates") or []:  # ISO dates, written as the reader writes them
            values[key] = format_date(date.fromisoformat(str(values[key])), "long", locale=locale)
        return template.format(**values) if values else template

    def _buttons(self, message: ScheduledMessage, locale: str) -> InlineKeyboardMarkup | None:
        """Buttons a notice carries: [[{"text": catalogue id, "data": callback data}]]."""
        rows = message.payload.get("buttons") or []
        keyboard = [
            [
                InlineKeyboardButton(
                    text=self._i18n.gettext(str(b["text"]), locale=locale), callback_data=b["data"]
                )
                for b in row
            ]
            for row in rows
        ]
        return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None

    async def _send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        await self._wait_for_slot(chat_id)
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((TelegramRetryAfter, TelegramNetworkError)),
            stop=stop_after_attempt(3),
            wait=wait_exponential(multiplier=0.5, max=5),
            before_sleep=_honour_retry_after,
            reraise=True,
        ):
            with attempt:
                await self._bot.send_message(chat_id, text, reply_markup=markup)

    async def _wait_for_slot(self, chat_id: int) -> None:
        if len(self._per_chat) > CHAT_LIMITERS_KEPT:
            self._per_chat.clear()  # idle chats' limiters are empty anyway
        chat = self._per_chat.setdefault(chat_id, AsyncLimiter(1, 1))
        await chat.acquire()
        await self._global.acquire()


async def _honour_retry_after(retry_state: object) -> None:
    """Flood control says how long to wait: wait at least that long."""
    outcome = getattr(retry_state, "outcome", None)
    exc = outcome.exception() if outcome is not None else None
    if isinstance(exc, TelegramRetryAfter):
        await asyncio.sleep(exc.retry_after)
