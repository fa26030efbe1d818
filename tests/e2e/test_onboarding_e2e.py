"""A resident meets the real bot process through a Bot API emulator: every request crosses
HTTP twice, as in production, so serialisation, keyboards and polling are exercised for real."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.client import Person
from tests.e2e.journeys import MAIN_MENU, ONBOARDING, message_with

pytestmark = pytest.mark.e2e


async def test_resident_onboards_by_buttons_and_reaches_the_menu(
    person: Callable[..., Person],
) -> None:
    resident = person(first_name="秀兰", last_name="张")
    await resident.say("/start")
    for label in ONBOARDING:
        await resident.press(label)

    await resident.wait_for(message_with("登记好了"), "the welcome after saving")
    screen = await resident.screen()
    assert screen.reply_keyboard == MAIN_MENU
    assert not any("出了点小问题" in t for t in screen.texts)  # the safety net's apology

    seen = len(screen.messages)
    await resident.say("/menu")
    await resident.wait_for(message_with("请选择要办的事", after=seen), "the menu")
    assert (await resident.screen()).reply_keyboard == MAIN_MENU


@pytest.mark.parametrize(
    ("send", "answer"),
    [("text", "先花一分钟登记"), ("sticker", "只能看懂文字和按钮")],
    ids=["text", "sticker"],
)
async def test_newcomer_who_does_not_start_properly_is_invited_to_register(
    person: Callable[..., Person], send: str, answer: str
) -> None:
    newcomer = person(first_name="Wei", last_name=None)
    if send == "text":
        await newcomer.say("asdf")
    else:
        await newcomer.send_sticker()

    reply = await newcomer.wait_for(message_with(answer), "a friendly answer")
    assert [b["text"] for b in reply.inline_buttons] == ["▶️ 继续登记"]

    # The button leads into onboarding: the language question.
    await newcomer.press("▶️ 继续登记")
    question = await newcomer.wait_for(message_with("Please choose your language"), "onboarding")
    assert [b["text"] for b in question.inline_buttons] == ["🇨🇳 中文", "🇬🇧 English"]
