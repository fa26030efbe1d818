"""The walks a person takes by buttons alone, shared by the flow tests: onboarding, adding a
spouse, signing a household. The fixtures built on them ("a resident who has onboarded", "a
doctor who joined by invite", "a household request") are in tests/flows/conftest.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Dispatcher

from bot.app import ErrorTally
from bot.local_chat import LocalChat
from storage.database import Database

# One delivery sweep, as the bot's scheduler runs it: notices reach other chats.
Deliver = Callable[[], Awaitable[None]]
# A fresh one-time invite code for a staff post in config.yml ("dr-wang" → "doc_…").
InviteCode = Callable[[str], Awaitable[str]]
# The chat of a staff member who joined with an invite, named as config.yml names them.
JoinByInvite = Callable[[str], Awaitable[LocalChat]]
# A dispatcher with a tally of its own on that database, for tests the safety net is part of.
OwnDispatcher = Callable[[Database], tuple[Dispatcher, ErrorTally]]
# Staff join, a resident signs her household; returns (staff chats, the resident's chat).
Household = Callable[..., Awaitable[tuple[list[LocalChat], LocalChat]]]


async def start_onboarding(chat: LocalChat, *, health: bool = True) -> None:
    """/start in Chinese, the privacy notice agreed, health data agreed or not: the name is
    asked next."""
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("同意，继续")
    await chat.press("✅ 同意" if health else "先不同意")


async def onboard_by_buttons(chat: LocalChat, *, health: bool = True) -> None:
    await start_onboarding(chat, health=health)
    await chat.press("就叫我")
    await chat.press("发送我的手机号")
    await chat.press("1940年代")
    await chat.press("1948")
    await chat.press("3月")
    await chat.press("1–7日")  # a week of days first: at most ~6 buttons a screen
    await chat.press("5")
    await chat.press("女")
    await chat.press("幸福一社区")
    await chat.press("跳过")
    if health:
        await chat.press("高血压")
        await chat.press("糖尿病")
        await chat.press("选好了")
        await chat.press("没有")  # disability
    await chat.press("对，保存")


async def add_spouse_by_buttons(chat: LocalChat) -> None:
    await chat.press("添加家人")
    await chat.press("老伴")
    await chat.press("先写「老伴」")
    await chat.press("1940年代")
    await chat.press("1946")
    await chat.press("7月")
    await chat.press("12")
    await chat.press("男")
    await chat.press("记录（家人已同意）")
    await chat.press("高血压")
    await chat.press("选好了")
    await chat.press("没有")  # disability


async def sign_household_by_buttons(chat: LocalChat, doctor_name: str = "王建国") -> None:
    await chat.say("📝 签约")
    await chat.press("开始签约")
    await add_spouse_by_buttons(chat)
    await chat.press("选好了，下一步")
    await chat.press(doctor_name)
    await chat.press("就选这位医生")
    await chat.press("高血压服务包")  # for the resident herself
    await chat.press("选好了，下一步")
    await chat.press("老年人服务包")  # for her husband
    await chat.press("选好了，下一步")
    await chat.press("1 年")
    await chat.press("确认签约")


def recent(chat: LocalChat, count: int = 3) -> str:
    """The last few things on screen, edits and alerts included."""
    return "\n".join(s.text or "" for s in chat.screen()[-count:])


def alerts(chat: LocalChat) -> list[str]:
    """Every alert and toast the person was shown, oldest first."""
    return [s.text or "" for s in chat.screen() if s.kind in ("alert", "toast")]
