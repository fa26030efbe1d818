"""One person's updates are handled one at a time (aiogram's event isolation): a second tap,
or the next answer sent the moment a question appears, sees what the first one saved."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.local_chat import LocalChat
from tests.flows.journeys import start_onboarding


async def test_a_double_tap_moves_the_form_on_once(person: Callable[..., LocalChat]) -> None:
    chat = person()
    await start_onboarding(chat)
    [name_button] = [b for b in chat.buttons() if "就叫我" in b.text]

    await asyncio.gather(chat.press_button(name_button), chat.press_button(name_button))

    questions = [
        s for s in chat.screen() if s.kind == "message" and "发送我的手机号" in (s.text or "")
    ]
    assert len(questions) == 1  # the second tap found the name already saved


async def test_an_answer_sent_with_the_question_still_on_its_way_is_taken(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await start_onboarding(chat)

    # The phone is shared before the name's update has finished: it waits for it, then counts.
    await asyncio.gather(chat.press("就叫我"), chat.share_contact())

    assert "手机号已记下" in "\n".join(s.text or "" for s in chat.screen())
