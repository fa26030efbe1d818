"""Running against Telegram: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramAPIError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import make_i18n, register_commands
from bot.runtime import running
from bot.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"


async def run_bot(settings: Settings, bot_session: BaseSession | None = None) -> None:
    """Until stopped: a webhook server when WEBHOOK_URL is set, else long polling."""
    async with running(settings, bot_session=bot_session) as rt:
        try:
            await register_commands(rt.bot, make_i18n(settings.centre.centre.default_language))
        except TelegramAPIError as exc:  # a nicety: the bot works without its command list
            log.warning("could not register the command list: %s", type(exc).__name__)
        if settings.webhook_url:
            await _serve_webhook(rt.dp, rt.bot, settings)
        else:
            await rt.bot.delete_webhook(drop_pending_updates=False)
            log.info("polling for updates")
            await rt.dp.start_polling(rt.bot, handle_signals=True, close_bot_session=False)


def webhook_app(dp: Dispatcher, bot: Bot, settings: Settings) -> web.Application:
    """The aiohttp app Telegram posts updates to. Each update is handled before Telegram gets
    its 200 (not in the background): if the process dies mid-update, Telegram delivers it
    again instead of it being lost."""
    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token=settings.webhook_secret, handle_in_background=False
    ).register(app, path=WEBHOOK_PATH)
    setup_application(app, dp, bot=bot)
    return app


async def _serve_webhook(dp: Dispatcher, bot: Bot, settings: Settings) -> None:
    assert settings.webhook_url is not None
    runner = web.AppRunner(webhook_app(dp, bot, settings))
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen_host, settings.webhook_listen_port)
    await site.start()  # listening before Telegram is told where to deliver
    url = settings.webhook_url.rstrip("/") + WEBHOOK_PATH
    await bot.set_webhook(url, secret_token=settings.webhook_secret, drop_pending_updates=False)
    log.info("webhook listening on %s:%s", settings.webhook_listen_host,
             settings.webhook_listen_port)  # fmt: skip
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):  # systemd and Docker stop with SIGTERM
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
        log.info("stopping: finishing the updates in hand")
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await runner.cleanup()  # runs the dispatcher's shutdown hooks too
