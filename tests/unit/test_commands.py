"""The command menu Telegram shows is registered in Chinese and in English."""

from __future__ import annotations

from aiogram.methods import SetMyCommands

from bot.app import make_bot, make_i18n, register_commands
from bot.local_api import LocalBotApi
from bot.settings import Settings


async def test_commands_are_registered_per_language(settings: Settings, api: LocalBotApi) -> None:
    await register_commands(make_bot(settings, session=api), make_i18n("zh_CN"))
    registered = {
        r.language_code: {c.command: c.description for c in r.commands}
        for r in api.requests
        if isinstance(r, SetMyCommands)
    }
    assert set(registered) == {None, "en"}
    assert registered[None]["menu"] == "主菜单"
    assert registered["en"]["menu"] == "Main menu"
    assert registered["en"]["language"] == "语言 Language"  # the way back, in both scripts
    assert set(registered[None]) == {"start", "menu", "help", "cancel", "language"}
