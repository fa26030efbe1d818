"""The trial chat: the real Dispatcher, database and scheduler, with this terminal standing in
for the Telegram app. Buttons are chosen by number; anything else is sent as a message."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.local_api import LocalBotApi, Sent
from bot.local_chat import LocalChat
from bot.runtime import Runtime, running
from bot.settings import ConfigError, Settings
from flows.admin.service import create_doctor_invite
from storage.models import StaffRole
from storage.users import find_user, staff_post_holder

TRIAL_RESIDENT_ID = 10_001
TRIAL_DOCTOR_ID = 10_002
# Chinese first, as the bot; the English half is for evaluators and English-speaking residents.
PROMPT = "请输入数字选择按钮，或直接打字（/quit 退出）· Number = button, or type (/quit): "
QUIT = {"/quit", "/exit", "退出"}


class TerminalScreen:
    """Prints what the bot sends to one chat."""

    def __init__(self, chat_id: int, out: TextIO) -> None:
        self.chat_id, self.out = chat_id, out
        self._texts: dict[int, str] = {}  # message id -> text as last shown

    def show(self, sent: Sent) -> None:
        if sent.chat_id != self.chat_id:
            return  # other people's chats are theirs
        if sent.kind in ("message", "edit") and sent.message_id is not None:
            before = self._texts.get(sent.message_id)
            self._texts[sent.message_id] = sent.text
            if before is not None and sent.text.startswith(before):
                added = sent.text[len(before) :].strip()
                if added:  # the usual edit: the answer appended to the question
                    self._print("   " + added)
            elif before is not None:
                self._print("🤖 (已更新 · edited) " + sent.text.replace("\n", "\n   "))
            else:
                self._print("🤖 " + sent.text.replace("\n", "\n   "))
        else:
            self._print(f"💬 {sent.text}")

    def show_buttons(self, chat: LocalChat) -> None:
        buttons = chat.buttons()
        if buttons:
            labels = [f"[{i}] {b.text}" for i, b in enumerate(buttons, 1)]
            self._print("   " + "   ".join(labels))
        self._print(PROMPT)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def run_terminal_chat(
    settings: Settings, *, as_doctor: bool = False, stdin: TextIO | None = None
) -> None:
    if settings.bot_token:
        # Fixed Telegram ids, invites minted for the first GP, real queued messages marked
        # sent: none of it belongs next to a real bot.
        raise ConfigError(
            "BOT_TOKEN: is set, so this is a real bot's set-up; the trial chat runs only "
            "without it (unset BOT_TOKEN, or pass --env-file with a trial .env)"
        )
    stdin = stdin or sys.stdin
    telegram_id = TRIAL_DOCTOR_ID if as_doctor else TRIAL_RESIDENT_ID
    screen = TerminalScreen(telegram_id, sys.stdout)
    api = LocalBotApi(on_sent=screen.show)
    # The trial refuses a real bot's database (see bot.runtime.prepare_database).
    trial_people = (TRIAL_RESIDENT_ID, TRIAL_DOCTOR_ID)
    async with running(settings, bot_session=api, trial_people=trial_people) as rt:
        chat = LocalChat(
            rt.dp, rt.bot, api,
            telegram_id=telegram_id,
            first_name="王医生" if as_doctor else "秀兰",
            last_name=None if as_doctor else "张",
        )  # fmt: skip
        name = settings.centre.centre.name
        print(f"──── {name} · 试用聊天 {'（医生）' if as_doctor else ''}────", flush=True)
        if as_doctor:
            await _join_as_trial_doctor(rt, chat)
        else:
            await chat.say("/start")
        screen.show_buttons(chat)
        await _conversation(chat, screen, stdin)


async def _conversation(chat: LocalChat, screen: TerminalScreen, stdin: TextIO) -> None:
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:  # end of input
            return
        text = line.strip()
        if not text:
            continue
        if text in QUIT:
            return
        buttons = chat.buttons()
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            button = buttons[int(text) - 1]
            if button.request_contact:
                await chat.share_contact(await _ask_phone(chat, stdin))
            else:
                await chat.press_button(button)
        else:
            await chat.say(text)
        screen.show_buttons(chat)


async def _ask_phone(chat: LocalChat, stdin: TextIO) -> str:
    print(f"（试用）要分享的手机号，直接回车用 {chat.phone}：", flush=True)
    typed = (await asyncio.to_thread(stdin.readline)).strip()
    return typed or chat.phone


async def _join_as_trial_doctor(rt: Runtime, chat: LocalChat) -> None:
    """The trial doctor is the first GP of config.yml whose post no other account holds,
    joined with a real one-time invite (a held post is never handed over)."""
    async with rt.db.sessionmaker() as session:
        user = await find_user(session, chat.person.id)
        if user is not None and user.staff_id is not None:
            await chat.say("/menu")
            return
        gps = [m.id for t in rt.settings.centre.teams for m in t.members if m.role is StaffRole.GP]
        free = [gp for gp in gps if await staff_post_holder(session, gp) is None]
        if not free:
            print("（试用）每位全科医生都已经有账号了。 (Every GP post is already held.)")
            await chat.say("/start")
            return
        invite = await create_doctor_invite(
            session, staff_id=free[0], clock=rt.clock, centre=rt.settings.centre
        )
        await session.commit()
    await chat.say(f"/start {invite.code}")
