"""A new resident completes onboarding by buttons alone; consent comes before health data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from bot.local_chat import LocalChat
from storage.database import Database
from storage.models import Consent, ConsentKind, Resident, User


async def onboard_by_buttons(chat: LocalChat, *, health: bool = True) -> None:
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("同意，继续")
    await chat.press("✅ 同意" if health else "先不同意")
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
