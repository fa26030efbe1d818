"""A half-filled form left for longer than `conversation.abandon_after_hours` is forgotten:
coming back later starts it afresh, and the phone number given back then is not kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from bot.local_chat import LocalChat
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import ConversationState


async def test_an_abandoned_onboarding_starts_afresh(
    person: Callable[..., LocalChat], clock: FrozenClock, centre: CentreConfig, db: Database
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号"):
        await chat.press(label)
    assert "出生" in chat.last_text() or "年代" in chat.last_text()

    clock.advance(timedelta(hours=centre.conversation.abandon_after_hours - 1))
    await chat.say("/start")
    assert "年代" in "\n".join(s.text for s in chat.screen()[-2:])  # a day later: carries on

    clock.advance(timedelta(hours=centre.conversation.abandon_after_hours + 1))
    again = await chat.say("/start")
    shown = "\n".join(s.text for s in again)
    assert shown.startswith("请选择语言")  # from the first step
    assert "年代" not in shown and "手机号" not in shown
    async with db.sessionmaker() as session:
        rows = (await session.scalars(select(ConversationState))).all()
        assert all("13800138000" not in str(r.data) for r in rows)
        assert await session.scalar(select(func.count()).select_from(ConversationState)) <= 1
