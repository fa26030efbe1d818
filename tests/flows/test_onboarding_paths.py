"""Onboarding's other paths: declining consent, typing instead of pressing, going back,
bad answers, a conversation that survives a restart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aiogram import Dispatcher
from sqlalchemy import func, select

from bot.app import build_dispatcher
from bot.local_chat import LocalChat
from bot.settings import Settings
from flows.clock import FrozenClock
from flows.forms.scene import Pick
from storage.database import Database
from storage.models import Consent, ConsentKind, Resident, ResidentCondition, User
from tests.flows.journeys import onboard_by_buttons


async def test_without_health_consent_no_health_question_is_asked_or_stored(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await onboard_by_buttons(chat, health=False)

    everything = "\n".join(s.text for s in chat.screen())
    assert "慢性病" not in everything and "残疾证" not in everything
    assert "登记好了" in everything
    async with db.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None
        assert resident.pregnancy is None and resident.disability is None
        assert await session.scalar(select(func.count(ResidentCondition.id))) == 0
        assert [t.tag for t in resident.tags] == ["elderly"]  # from age only
        health = await session.scalar(
            select(Consent).where(Consent.kind == ConsentKind.HEALTH_DATA)
        )
        assert health is not None and health.granted is False


async def test_declining_the_privacy_notice_stores_no_profile_and_offers_a_way_back(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("不同意")
    assert "没办法为您登记" in chat.last_text()
    assert "028-8765 4321" in chat.last_text()
    await chat.press("再看一下")
    assert "同意，继续" in chat.buttons()[0].text
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count(Resident.id))) == 0


async def test_typed_answers_are_checked_kindly(person: Callable[..., LocalChat]) -> None:
    chat = person(first_name="Bob", last_name=None)
    await chat.say("/start")
    await chat.press("中文")
    await chat.press("同意，继续")
    await chat.press("先不同意")
    await chat.say("   ")
    assert "1 到 30 个字" in chat.last_text()
    await chat.say("李建华")
    await chat.say("12345")
    assert "号码好像不对" in chat.last_text()
    await chat.say("138 1234 5678")
    await chat.say("1950年13月40日")
    assert "没看懂这个日期" in chat.last_text()
    await chat.say("1950-2-28")
    assert any("1950年2月28日" in s.text for s in chat.screen()[-3:])  # one date format
    assert "性别" in chat.last_text()
    await chat.say("蓝色")
    assert any("请点下面消息里的按钮" in s.text for s in chat.screen()[-3:])
    assert "性别" in chat.last_text()


async def test_a_typed_answer_takes_the_old_buttons_away(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意"):
        await chat.press(label)
    await chat.say("王桂芬")  # typed, not 「就叫我」
    await chat.press("发送我的手机号")
    await chat.say("1950-3-5")  # typed, not the decade buttons
    assert [b.text for b in chat.buttons()] == ["👨 男", "👩 女", "⬅️ 上一步"]
    assert len(chat.messages_with_buttons()) == 1
    await chat.say("蓝色")  # not an answer: asked again, with buttons only on the new question
    _, again = (s for s in chat.screen() if s.kind == "message" and "性别" in s.text)
    assert list(chat.messages_with_buttons()) == [again.message_id]
    for label in ("女", "幸福一社区"):
        await chat.press(label)
    await chat.say("3栋2单元501")  # typed, not 「跳过」
    await chat.press("没有这些病")
    await chat.press("没有")
    await chat.press("对，保存")
    assert [b.text for b in chat.buttons()] == [
        "📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置",
    ]  # fmt: skip


async def test_someone_elses_contact_is_refused(person: Callable[..., LocalChat]) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "先不同意", "就叫我"):
        await chat.press(label)
    await chat.share_contact("+8613912345678", of_user=424242)
    assert "您自己的手机号" in chat.last_text()
    assert "发送我的手机号" in chat.buttons()[0].text


async def test_back_goes_to_the_previous_question(person: Callable[..., LocalChat]) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号", "1950年代"):
        await chat.press(label)
    assert "出生年份" in chat.last_text()
    await chat.press("上一步")
    assert "先选年代" in chat.last_text()


async def test_old_buttons_are_recognised_as_old(person: Callable[..., LocalChat]) -> None:
    chat = person()
    await chat.say("/start")
    first_question = chat.screen()[-1].message_id
    await chat.press("中文")
    assert first_question is not None
    await chat.press_data(Pick(form="ob", step="language", value="en").pack(), first_question)
    assert chat.screen()[-1].kind == "toast"
    assert "不能用了" in chat.screen()[-1].text


async def test_conversation_survives_a_restart(
    person: Callable[..., LocalChat],
    settings: Settings,
    db: Database,
    clock: FrozenClock,
    dp: Dispatcher,
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号"):
        await chat.press(label)
    assert "先选年代" in chat.last_text()

    chat.dp = build_dispatcher(settings, db, clock)  # a new process: same database
    await chat.say("/start")
    assert "先选年代" in chat.last_text()
    for label in ("1940年代", "1948", "3月", "1–7日", "5", "女", "幸福一社区", "跳过",
                  "没有这些病", "没有"):  # fmt: skip
        await chat.press(label)
    await chat.press("对，保存")
    async with db.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None and resident.birth_date == date(1948, 3, 5)
        assert resident.phone == "+8613800138000"


async def test_english_resident_gets_english(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person(first_name="Mary", last_name="Smith", language_code="en")
    await chat.say("/start")
    await chat.press("English")
    assert "Welcome" in chat.last_text()
    for label in ("Agree", "✅ Agree", "Call me", "Send my phone number", "1950s", "1950", "Mar",
                  "1–7", "5", "Female", "Xingfu No.1", "Skip", "Hypertension", "Done",
                  "No"):  # fmt: skip
        await chat.press(label)
    assert "Hypertension" in chat.last_text()
    await chat.press("save")
    assert "📝 Sign" in [b.text for b in chat.buttons()]
    async with db.sessionmaker() as session:
        user = await session.scalar(select(User))
        assert user is not None and user.language == "en"


async def test_a_young_resident_with_no_priority_group_registers(
    person: Callable[..., LocalChat],
) -> None:
    # Saving a profile that gives no priority tag once crashed ("出了点小问题").
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "先不同意", "就叫我", "发送我的手机号", "1990年代",
                  "1996", "5月", "1–7日", "1", "女", "幸福一社区", "跳过", "对，保存"):  # fmt: skip
        await chat.press(label)
    assert "登记好了，谢谢您！" in "\n".join(s.text or "" for s in chat.screen()[-3:])
