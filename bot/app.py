"""Assembly: the Dispatcher with its middlewares and the slices' routers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.types import BotCommand, ErrorEvent
from aiogram.utils.i18n import I18n

import flows
from bot.middlewares.current_user import CurrentUserMiddleware
from bot.middlewares.database import DbSessionMiddleware
from bot.middlewares.locale import UserLocaleMiddleware
from bot.middlewares.private_chats import PrivateChatsOnlyMiddleware
from bot.middlewares.services import ServicesMiddleware
from bot.middlewares.throttling import (
    Bucket,
    Buckets,
    MemoryBuckets,
    RedisBuckets,
    ThrottlingMiddleware,
)
from bot.settings import Settings
from flows.clock import Clock
from flows.texts import N_
from nlu.client import NluClient
from storage.database import Database
from storage.fsm_storage import SqlFsmStorage
from storage.types import decrypt_json, encrypt_json

LOCALES = Path(__file__).with_name("locales")
log = logging.getLogger(__name__)


def make_i18n(default_language: str) -> I18n:
    return I18n(path=LOCALES, default_locale=default_language, domain="messages")


def make_fsm_storage(settings: Settings, db: Database, clock: Clock) -> BaseStorage:
    """SQL by default (survives restarts, no extra server); Redis when REDIS_URL is set.
    Either way the data (a half-filled form: phone, conditions…) is encrypted with PII_KEY
    and forgotten after `conversation.abandon_after_hours` without a change."""
    abandon_after = timedelta(hours=settings.centre.conversation.abandon_after_hours)
    if settings.redis_url:
        return RedisStorage.from_url(
            settings.redis_url,
            key_builder=DefaultKeyBuilder(with_destiny=True),
            state_ttl=abandon_after,
            data_ttl=abandon_after,
            json_dumps=encrypt_json,
            json_loads=decrypt_json,
        )
    return SqlFsmStorage(db.sessionmaker, abandon_after=abandon_after, now=clock.now)


def make_bot(settings: Settings, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession()
        if settings.telegram_api_url:
            session.api = TelegramAPIServer.from_base(settings.telegram_api_url)
    token = settings.bot_token or "1:trial-mode-without-telegram"
    return Bot(token, session=session, default=DefaultBotProperties())


@dataclass
class ErrorTally:
    """Counts errors the safety net caught: tests assert it stays at zero."""

    count: int = 0
    kinds: list[str] = field(default_factory=list)


def build_dispatcher(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    storage: BaseStorage | None = None,
    errors: ErrorTally | None = None,
    nlu: NluClient | None = None,
) -> Dispatcher:
    i18n = make_i18n(settings.centre.centre.default_language)
    storage = storage or make_fsm_storage(settings, db, clock)
    dp = Dispatcher(storage=storage, events_isolation=_one_update_at_a_time(storage))
    # `nudge` asks the delivery sweep to run now, so a notice queued by a handler (a doctor's
    # answer, a new request) goes out in a moment; the running bot replaces this no-op.
    dp.workflow_data.update(centre=settings.centre, clock=clock, db=db, nlu=nlu, nudge=_no_nudge)

    # Before aiogram's FSM middleware (which reads the conversation state), so a refused
    # update costs no storage read: taken out and put back after these two.
    dp.update.outer_middleware.unregister(dp.fsm)
    # Private chats only: the bot is not meant for groups, and must not leak into one, nor
    # store anything about their members. First, so nothing below runs for them.
    dp.update.outer_middleware(PrivateChatsOnlyMiddleware())
    dp.update.outer_middleware(ThrottlingMiddleware(_buckets(settings, dp.storage), clock, i18n))
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(DbSessionMiddleware(db.sessionmaker))
    dp.update.outer_middleware(CurrentUserMiddleware(clock))
    UserLocaleMiddleware(i18n).setup(dp)
    services = ServicesMiddleware(flows.SERVICES, clock, settings.centre)
    for observer in (dp.message, dp.edited_message, dp.callback_query):
        observer.middleware(services)

    dp.include_routers(*flows.routers())
    tally = errors if errors is not None else ErrorTally()
    dp.errors.register(_safety_net(i18n, tally))
    return dp


def _one_update_at_a_time(storage: BaseStorage) -> BaseEventIsolation:
    """Each person's updates are handled in turn, each one's state committed before the next
    reads it: a double tap, or an answer sent the moment its question appears (the question
    goes out before the update's commit), never meets a stale step. Across bot processes
    when the state is in Redis."""
    if isinstance(storage, RedisStorage):
        return RedisEventIsolation(storage.redis, key_builder=storage.key_builder)
    return SimpleEventIsolation()


def _buckets(settings: Settings, storage: BaseStorage) -> Buckets:
    """Rate-limit buckets beside the conversation state: in Redis (on the same connection,
    shared by every bot process) when that is where the state lives."""
    bucket = Bucket.from_settings(settings.throttle_rate, settings.throttle_burst)
    if isinstance(storage, RedisStorage):
        return RedisBuckets(storage.redis, bucket)
    return MemoryBuckets(bucket)


def _no_nudge() -> None:
    return None


def _safety_net(i18n: I18n, tally: ErrorTally) -> Callable[[ErrorEvent], Awaitable[bool]]:
    async def on_error(event: ErrorEvent) -> bool:
        """Last resort: log the kind of failure (never the text) and apologise to the user."""
        tally.count += 1
        tally.kinds.append(type(event.exception).__name__)
        log.error("handler failed: %s", type(event.exception).__name__, exc_info=event.exception)
        update = event.update
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(i18n.gettext("抱歉，出了点小问题，请再试一次。"))
            elif update.message is not None:
                await update.message.answer(i18n.gettext("抱歉，出了点小问题，请再试一次。"))
        except Exception:
            log.warning("could not apologise for a failed update")
        return True

    return on_error


COMMANDS = {
    "start": N_("开始"),
    "menu": N_("主菜单"),
    "help": N_("帮助"),
    "cancel": N_("取消"),
    "language": "语言 Language",  # both scripts in every language: the way back
}


async def register_commands(bot: Bot, i18n: I18n) -> None:
    """The command list in the chat's menu, per language."""
    for locale in i18n.available_locales:
        commands = [
            BotCommand(command=name, description=i18n.gettext(text, locale=locale))
            for name, text in COMMANDS.items()
        ]
        language_code = None if locale == i18n.default_locale else locale.split("_")[0]
        await bot.set_my_commands(commands, language_code=language_code)
