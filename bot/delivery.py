"""Sending what is due: claims rows from the outbox, renders them in the recipient's
language, and sends within Telegram's limits (≈30 messages/s overall, 1/s per chat).

Every message stands alone: whatever goes wrong with one (a Telegram error, a proxy's error
page, a text that does not render) counts an attempt and backs it off exponentially, and the
rest of the batch still goes out. A message that keeps failing, or fails in a way retrying
cannot mend, is given up (FAILED, its error kept, logged at ERROR); a red-flag alert given up
goes to the rest of the team and the duty contacts instead (flows/alerts.py).

A claim is a lease with a fencing token (storage/outbox.py): the lease is renewed just before
the send, the send (per-chat and global rate limits, flood-control waits included) never
outlives it, and a flood-control wait longer than the lease gives the message back, due when
Telegram says, instead of waiting. So a second instance cannot claim a message still being
sent, and a sender that lost its claim cannot mark it sent or reopen it. A blocked bot marks
the user; what it stopped is resent if they come back (storage/outbox.py,
reopen_blocked_messages)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from flows.action_buttons import button_data
from flows.alerts import forward_undelivered_alert
from flows.centre import LANGUAGES, CentreConfig
from flows.clock import Clock
from flows.texts import format_date
from storage.models import Priority, ScheduledMessage, User
from storage.outbox import (
    BOT_BLOCKED,
    claim_due_messages,
    mark_failed,
    mark_sent,
    postpone,
    renew_claim,
    retry_later,
)

log = logging.getLogger(__name__)
GLOBAL_PER_SECOND = 25  # under Telegram's ~30/s
CHAT_LIMITERS_KEPT = 10_000
FLOOD_WAITS_PER_SEND = 3  # flood-control waits taken in place before giving the message back
SOURCE_LANGUAGE = LANGUAGES[0]  # catalogue ids are the zh-CN texts themselves
# Errors that say this message can never be sent as it is: retrying cannot mend them.
_HOPELESS = (TelegramBadRequest, TelegramNotFound, TelegramEntityTooLarge, TelegramMigrateToChat)


class Outcome(StrEnum):
    SENT = "sent"
    POSTPONED = "postponed"  # quiet hours, or flood control: no attempt used
    RETRYING = "retrying"  # failed this time, due again after a back-off
    FAILED = "failed"  # given up
    LOST = "lost"  # the claim ran out and someone else holds the message now


@dataclass(frozen=True)
class SweepResult:
    sent: int = 0
    postponed: int = 0
    failed: int = 0
    retrying: int = 0
    lost: int = 0


class RenderError(Exception):
    """The message's text or buttons cannot be made from its payload, in any language."""


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


def worker_id() -> str:
    """Unique per process and per deliverer: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def describe(exc: BaseException) -> str:
    """The error kind kept on the row and logged: Telegram's own description at most, never
    the text or a response body (a proxy's error page may echo the request)."""
    if isinstance(exc, TelegramAPIError):
        return f"{type(exc).__name__}: {exc.message}"[:200]
    if isinstance(exc, RenderError):
        return f"render: {exc}"[:200]
    if isinstance(exc, TimeoutError):
        return "TimeoutError: send outlasted its lease"
    return type(exc).__name__


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
        self._policy = centre.delivery
        self._lease = timedelta(seconds=self._policy.claim_lease_seconds)
        # A send gives up while a tenth of the lease is left: time to record the outcome.
        self._send_budget = self._lease.total_seconds() * 0.9
        self._worker = worker or worker_id()
        self._global = AsyncLimiter(GLOBAL_PER_SECOND, 1)
        self._per_chat: dict[int, AsyncLimiter] = {}
        self._forwarded = 0

    async def sweep(self) -> SweepResult:
        """One pass: claim what is due and send it. Safe to run in several processes.
        Red-flag alerts forwarded during the pass go out in a second round at once."""
        counts = dict.fromkeys(Outcome, 0)
        for _round in range(2):
            self._forwarded = 0
            async with self._sessionmaker() as session:
                claimed = await claim_due_messages(
                    session, now=self._clock.now(), worker=self._worker, lease=self._lease
                )
            for message in claimed:
                counts[await self._deliver_alone(message)] += 1
            if not self._forwarded:
                break
        return SweepResult(
            sent=counts[Outcome.SENT],
            postponed=counts[Outcome.POSTPONED],
            failed=counts[Outcome.FAILED],
            retrying=counts[Outcome.RETRYING],
            lost=counts[Outcome.LOST],
        )

    async def _deliver_alone(self, message: ScheduledMessage) -> Outcome:
        """Delivers one message; whatever goes wrong stays with it."""
        try:
            return await self._deliver(message)
        except Exception as exc:  # a database error, a bug: still one attempt of this one
            log.error("message %s: delivery broke (%s)", message.id, type(exc).__name__)
            try:
                return await self._record_failure(message, exc)
            except Exception as again:
                log.error("message %s: outcome not recorded (%s); retried after its lease",
                          message.id, type(again).__name__)  # fmt: skip
                return Outcome.LOST

    async def _deliver(self, message: ScheduledMessage) -> Outcome:
        token = message.claim_token or ""
        async with self._sessionmaker() as session:
            user = await session.get(User, message.recipient_user_id)
            now = self._clock.now()
            if user is None or user.blocked_bot_at is not None:
                blocked = user is not None
                return await self._give_up(
                    session, message, BOT_BLOCKED if blocked else "recipient unreachable",
                    blocked=blocked,
                )  # fmt: skip
            wake = quiet_until(now, self._centre)
            if wake is not None and message.priority is Priority.NORMAL:
                held = await postpone(session, message.id, token, until=wake)
                await session.commit()
                return Outcome.POSTPONED if held else self._lost(message)
            # Ours for a whole lease from now, or someone else's already: then hands off.
            if not await renew_claim(session, message.id, token, until=now + self._lease):
                await session.commit()
                return self._lost(message)
            await session.commit()
            chat_id = user.telegram_id
            locale = user.language or self._centre.centre.default_language
        try:
            async with asyncio.timeout(self._send_budget) as limit:
                text, markup = self._render(message, locale)
                await self._send(chat_id, text, markup, deadline=limit.when())
        except TelegramRetryAfter as exc:  # a longer wait than the lease has left
            return await self._flood_wait(message, exc)
        except Exception as exc:
            return await self._record_failure(message, exc)
        async with self._sessionmaker() as session:
            held = await mark_sent(session, message.id, token, self._clock.now())
            await session.commit()
        return Outcome.SENT if held else self._lost(message)

    async def _flood_wait(self, message: ScheduledMessage, exc: TelegramRetryAfter) -> Outcome:
        """Telegram says when: the message is due again then, with no attempt used."""
        due = self._clock.now() + timedelta(seconds=exc.retry_after)
        async with self._sessionmaker() as session:
            held = await retry_later(
                session, message.id, message.claim_token or "", error="flood control", at=due,
                count_attempt=False,
            )  # fmt: skip
            await session.commit()
        return Outcome.POSTPONED if held else self._lost(message)

    async def _record_failure(self, message: ScheduledMessage, exc: Exception) -> Outcome:
        """One failed attempt: backs off, or gives up when retrying cannot help or the
        attempts are used up."""
        error = describe(exc)
        async with self._sessionmaker() as session:
            if isinstance(exc, TelegramForbiddenError):  # they blocked the bot
                user = await session.get(User, message.recipient_user_id)
                if user is not None:
                    user.blocked_bot_at = self._clock.now()
                return await self._give_up(session, message, BOT_BLOCKED, blocked=True)
            attempts = message.attempts + 1
            limit = (
                self._policy.red_flag_max_attempts
                if message.priority is Priority.RED_FLAG
                else self._policy.max_attempts
            )
            if isinstance(exc, (*_HOPELESS, RenderError)) or attempts >= limit:
                return await self._give_up(session, message, error)
            due = self._clock.now() + self.backoff(attempts)
            held = await retry_later(
                session, message.id, message.claim_token or "", error=error, at=due
            )
            await session.commit()
        log.warning("message %s: attempt %d failed (%s), next at %s",
                    message.id, attempts, error, due.isoformat())  # fmt: skip
        return Outcome.RETRYING if held else self._lost(message)

    async def _give_up(
        self, session: AsyncSession, message: ScheduledMessage, error: str, *, blocked: bool = False
    ) -> Outcome:
        """FAILED for good, the error kept; a red-flag alert goes to others instead."""
        now = self._clock.now()
        resend_until = None
        if blocked:  # sent after all if they come back while it is still of use
            window = timedelta(hours=self._policy.resend_after_unblock_hours)
            resend_until = message.due_at + window
        held = await mark_failed(
            session, message.id, message.claim_token or "", error=error, resend_until=resend_until
        )
        if not held:
            await session.commit()
            return self._lost(message)
        if message.priority is Priority.RED_FLAG:
            self._forwarded += len(
                await forward_undelivered_alert(session, self._centre, message, now, error)
            )
        elif blocked:
            log.info("message %s: user %s blocked the bot", message.id, message.recipient_user_id)
        else:
            log.error("message %s (%s) to user %s given up after %d attempts: %s",
                      message.id, message.kind, message.recipient_user_id,
                      message.attempts + 1, error)  # fmt: skip
        await session.commit()
        return Outcome.FAILED

    def _lost(self, message: ScheduledMessage) -> Outcome:
        log.warning("message %s: claim lost (lease ran out), left to its new holder", message.id)
        return Outcome.LOST

    def backoff(self, attempts: int) -> timedelta:
        """Wait before the next try after `attempts` failed ones: doubling, capped."""
        first = self._policy.retry_first_seconds
        cap = self._policy.retry_max_minutes * 60
        return timedelta(seconds=min(first * 2 ** (attempts - 1), cap))

    def _render(
        self, message: ScheduledMessage, locale: str
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """Text and buttons in the reader's language; if the translation does not fit the
        payload (a placeholder renamed), in the source language, logged; else RenderError."""
        try:
            return self._text(message, locale), self._buttons(message, locale)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            if locale == SOURCE_LANGUAGE:  # the placeholder's name helps whoever fixes it
                raise RenderError(f"{type(exc).__name__} {exc}") from exc
            log.error("message %s: its %s text does not render (%s); sent in %s",
                      message.id, locale, type(exc).__name__, SOURCE_LANGUAGE)  # fmt: skip
            return self._render(message, SOURCE_LANGUAGE)

    def _text(self, message: ScheduledMessage, locale: str) -> str:
        payload = message.payload
        template = self._i18n.gettext(str(payload.get("text", "")), locale=locale)
        values = dict(payload.get("values") or {})
        for key in payload.get("translate") or []:  # values that are catalogue ids themselves
            values[key] = self._i18n.gettext(str(values.get(key, "")), locale=locale)
        for key in payload.get("dates") or []:  # ISO dates, written as the reader writes them
            values[key] = format_date(date.fromisoformat(str(values[key])), locale)
        return template.format(**values) if values else template

    def _buttons(self, message: ScheduledMessage, locale: str) -> InlineKeyboardMarkup | None:
        """Buttons a notice carries: [[{"text": catalogue id, "action": …}]] (flows/actions.py)."""
        rows = message.payload.get("buttons") or []
        keyboard = [
            [
                InlineKeyboardButton(
                    text=self._i18n.gettext(str(b["text"]), locale=locale),
                    callback_data=button_data(b),
                )
                for b in row
            ]
            for row in rows
        ]
        return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None

    async def _send(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        *,
        deadline: float | None,
    ) -> None:
        """Sends within the rate limits; waits out flood control in place while the wait
        ends before `deadline` (event-loop time), else raises it."""
        await self._wait_for_slot(chat_id)
        loop = asyncio.get_running_loop()
        if deadline is None:
            deadline = loop.time() + self._send_budget

        def fits(exc: BaseException) -> bool:
            return isinstance(exc, TelegramRetryAfter) and (
                loop.time() + exc.retry_after < deadline
            )

        async for attempt in AsyncRetrying(
            retry=retry_if_exception(fits),
            stop=stop_after_attempt(FLOOD_WAITS_PER_SEND),
            wait=_retry_after_wait,
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


def _retry_after_wait(retry_state: Any) -> float:
    """Flood control says how long to wait: that long."""
    exc = retry_state.outcome.exception() if retry_state.outcome is not None else None
    return float(exc.retry_after) if isinstance(exc, TelegramRetryAfter) else 0.0
