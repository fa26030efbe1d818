"""Staff join with a one-time invite; settings: language, profile, health-data consent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from bot.local_chat import LocalChat
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import ResidentCondition, Role, User
from storage.users import find_user
from tests.flows.journeys import InviteCode

RESIDENT_MENU = ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"]


async def test_doctor_joins_with_an_invite_once(
    person: Callable[..., LocalChat], db: Database, invite_code: InviteCode
) -> None:
    code = await invite_code("dr-wang")
    doctor = person(first_name="建国", last_name="王")
    await doctor.say(f"/start {code}")
    assert "欢迎您，王建国！您已加入全科一团队。" in doctor.last_text()
    assert [b.text for b in doctor.buttons()] == ["📋 待办", "👥 居民", "⚙️ 设置"]
    await doctor.press("待办")
    assert "签约申请：0 个" in doctor.last_text()

    stranger = person(first_name="某人")
    await stranger.say(f"/start {code}")
    assert "无效或已过期" in stranger.last_text()
    async with db.sessionmaker() as session:
        roles = {u.telegram_id: u.role for u in await session.scalars(select(User))}
    assert roles[doctor.person.id] is Role.STAFF
    assert roles[stranger.person.id] is Role.RESIDENT


async def test_expired_invite_is_refused(
    person: Callable[..., LocalChat], invite_code: InviteCode, clock: FrozenClock,
    centre: CentreConfig,
) -> None:  # fmt: skip
    code = await invite_code("nurse-li")
    clock.advance(timedelta(days=centre.privacy.doctor_invite_days, seconds=1))
    nurse = person()
    await nurse.say(f"/start {code}")
    assert "无效或已过期" in nurse.last_text()


async def test_resident_cannot_use_staff_buttons(onboarded: LocalChat) -> None:
    # A resident who taps a staff button (an old keyboard, a forwarded screen) is told plainly
    # whose button it is and gets her own menu back, rather than a puzzled "I didn't follow".
    chat = onboarded
    for staff_button in ("📋 待办", "👥 居民"):
        await chat.say(staff_button)
        assert chat.last_text() == "这个按钮是给医生用的。"
        assert [b.text for b in chat.buttons()] == RESIDENT_MENU


async def test_switching_language_changes_the_menu(onboarded: LocalChat) -> None:
    chat = onboarded
    await chat.press("⚙️ 设置")
    await chat.press("语言")
    await chat.press("English")
    assert [b.text for b in chat.buttons()][:2] == ["📝 Sign", "📅 Book"]
    await chat.say("📅 预约")  # an old Chinese keyboard still works
    assert "coming soon" in chat.last_text()


async def test_withdrawing_health_consent_erases_health_facts(
    onboarded: LocalChat, db: Database
) -> None:
    chat = onboarded
    await chat.press("⚙️ 设置")
    await chat.press("健康信息同意")
    assert "您已同意" in chat.last_text()
    await chat.press("不再同意")
    assert "已删除" in chat.last_text()
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count(ResidentCondition.id))) == 0
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")
    profile = chat.last_text()
    assert "张秀兰" in profile and "高血压" not in profile and "65岁及以上老人" in profile


async def test_profile_can_be_edited(onboarded: LocalChat, db: Database) -> None:
    chat = onboarded
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")
    await chat.press("修改资料")
    await chat.say("张秀英")
    for label in ("发送我的手机号", "1940年代", "1948", "3月", "5", "女", "幸福二社区", "跳过",
                  "选好了", "没有", "对，保存"):  # fmt: skip
        await chat.press(label)
    async with db.sessionmaker() as session:
        user = await find_user(session, chat.person.id)
        assert user is not None and user.resident is not None
        assert user.resident.name == "张秀英"
        assert user.resident.household.community_id == "xingfu-2"
