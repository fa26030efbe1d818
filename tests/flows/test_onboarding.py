"""A new resident completes onboarding by buttons alone; consent comes before health data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from bot.local_chat import LocalChat
from storage.database import Database
from storage.models import Consent, ConsentKind, Resident, User
from tests.flows.journeys import onboard_by_buttons


async def test_resident_onboards_by_buttons_alone(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await onboard_by_buttons(chat)

    assert "登记好了" in "\n".join(s.text for s in chat.screen()[-3:])
    assert "65岁及以上老人" in "\n".join(s.text for s in chat.screen()[-3:])
    menu = [b.text for b in chat.buttons()]
    assert menu == ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"]

    async with db.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None
        assert resident.name == "张秀兰"
        assert resident.phone == "+8613800138000"
        assert resident.birth_date == date(1948, 3, 5)
        assert sorted(c.code for c in resident.conditions) == ["diabetes", "hypertension"]
        assert sorted(t.tag for t in resident.tags) == ["diabetes", "elderly", "hypertension"]
        consents = (await session.scalars(select(Consent))).all()
        assert {c.kind for c in consents if c.granted} == {
            ConsentKind.PRIVACY_NOTICE,
            ConsentKind.HEALTH_DATA,
        }
        user = await session.scalar(select(User))
        assert user is not None and user.language == "zh_CN" and user.onboarded_at is not None
