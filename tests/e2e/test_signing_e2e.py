"""Signing over real HTTP (issue 4): a resident signs her household, two packages, by buttons
alone; the doctor approves from his own chat and both see the same card; then she changes
doctor (the new doctor approves from hers) and cancels. Notices to the other side go through
the outbox and the bot process's delivery sweep, which the handlers nudge: the test only waits.

Renewal opens in the contract's last 30 days, and the bot process runs on the system clock:
the test moves the contract's dates in the bot's database, as a year passing would, and the
card then offers the one-tap renewal. The renewal notice itself (a timed message) is covered
by tests/flows/test_signing.py with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from bot.settings import load_centre
from flows.admin.service import create_doctor_invite
from flows.clock import SystemClock
from storage.database import Database
from storage.models import Contract, ContractState
from tests.e2e.client import BotMessage, Person, Screen
from tests.e2e.conftest import ROOT, BotProcess
from tests.e2e.journeys import message_with, onboard

pytestmark = pytest.mark.e2e

CALLBACK_DATA_BYTES = 64  # Bot API limits, which the emulator does not enforce
TEXT_CHARS = 4096

ADD_SPOUSE = [
    "➕ 添加家人",
    "老伴",
    "先写「老伴」",
    "1940年代",
    "1946",
    "7月",
    "12",
    "👨 男",
    "✅ 记录（家人已同意）",
    "高血压",
    "✔️ 选好了",
    "没有",  # disability
]


async def invite(bot: BotProcess, staff_id: str) -> str:
    """A one-use invite, made as `familydoc admin invite-doctor` makes it, in the database of
    the running bot."""
    db = Database(bot.database_url)
    try:
        async with db.sessionmaker() as session:
            made = await create_doctor_invite(
                session,
                staff_id=staff_id,
                clock=SystemClock(),
                centre=load_centre(ROOT / "config.yml"),
            )
            await session.commit()
    finally:
        await db.dispose()
    return made.code


async def near_the_end(bot: BotProcess, days_left: int) -> None:
    """As if most of the year had passed: the active contract now ends in `days_left` days."""
    today = datetime.now(load_centre(ROOT / "config.yml").zone).date()
    db = Database(bot.database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                update(Contract)
                .where(Contract.state == ContractState.ACTIVE)
                .values(starts_on=today - timedelta(days=365 - days_left),
                        ends_on=today + timedelta(days=days_left - 1))
            )  # fmt: skip
    finally:
        await db.dispose()


async def join_as_doctor(
    person: Callable[..., Person], bot: BotProcess, staff_id: str, name: str
) -> Person:
    doctor = person(first_name=name[1:], last_name=name[0])
    await doctor.say(f"/start {await invite(bot, staff_id)}")
    await doctor.wait_for(message_with(f"欢迎您，{name}！"), "the doctor's welcome")
    return doctor


async def count(chat: Person) -> int:
    """How many bot messages the chat holds now: wait for what comes after them."""
    return len((await chat.screen()).messages)


def labels(message: BotMessage) -> list[str]:
    return [str(b.get("text")) for b in message.inline_buttons]


def within_telegram_limits(screen: Screen) -> list[str]:
    """What real Telegram would refuse: long texts, long callback data."""
    problems = [m.text[:40] for m in screen.messages if len(m.text) > TEXT_CHARS]
    problems += [
        str(b["callback_data"])
        for m in screen.messages
        for b in m.inline_buttons
        if len(str(b.get("callback_data", "")).encode()) > CALLBACK_DATA_BYTES
    ]
    return problems


async def sign_household(resident: Person) -> BotMessage:
    """📝 签约 for herself and her husband, added on the way; returns the summary to confirm."""
    await resident.press("📝 签约")
    await resident.press("📝 开始签约")
    for label in ADD_SPOUSE:
        await resident.press(label)
    await resident.wait_for(message_with("已添加：老伴"), "the husband added")
    await resident.press("✔️ 选好了，下一步")
    # "⭐ 是您社区的团队。": her community's doctor is starred, with the places left.
    await resident.press("⭐ 王建国 主治医师 · 还能签", prefix=True)
    await resident.press("✅ 就选这位医生")
    await resident.press("⬜ 高血压服务包", prefix=True)  # for herself
    await resident.press("✔️ 选好了，下一步")
    await resident.press("⬜ 老年人服务包", prefix=True)  # for her husband
    await resident.press("✔️ 选好了，下一步")
    await resident.press("⭐ 1 年")
    return await resident.wait_for(message_with("请看一下签约内容"), "the summary to confirm")


async def test_household_signs_changes_doctor_and_cancels(
    person: Callable[..., Person], bot_process: BotProcess
) -> None:
    wang = await join_as_doctor(person, bot_process, "dr-wang", "王建国")
    chen = await join_as_doctor(person, bot_process, "dr-chen", "陈静")
    resident = person(first_name="秀兰", last_name="张")
    await onboard(resident)

    # The resident signs by buttons alone.
    summary = await sign_household(resident)
    assert "张秀兰（本人）：基础服务包、高血压服务包" in summary.text
    assert "老伴（老伴）：基础服务包、老年人服务包" in summary.text
    assert "每年自付 ¥270.00" in summary.text  # 120 (hypertension) + 150 (elderly)
    await resident.press("✅ 确认签约")
    await resident.wait_for(message_with("申请已提交"), "the request sent")

    # The doctor hears of it and reads who and what before agreeing.
    await wang.wait_for(message_with("新的签约申请：张秀兰 等 2 人。"), "the doctor's notice")
    await wang.press("📝 查看申请")
    request = await wang.wait_for(message_with("签约申请 #"), "the request")
    assert "张秀兰（本人） · 女" in request.text
    assert "老伴（老伴） · 男" in request.text
    assert "服务包：基础服务包、高血压服务包" in request.text
    assert "服务包：基础服务包、老年人服务包" in request.text
    assert labels(request) == ["✅ 同意", "❌ 不同意", "📇 看签约卡"]
    seen = await count(resident)
    await wang.press("✅ 同意")
    await wang.wait_for(message_with("✅ 已同意签约"), "the request marked agreed")

    # Both open the card: the same text on both sides.
    await resident.wait_for(
        message_with("签约成功！王建国 医生已同意", after=seen), "the resident's good news"
    )
    seen = await count(resident)
    await resident.press("📇 看签约卡")
    card = await resident.wait_for(message_with("📇 我的家庭医生", after=seen), "her card")
    for shown in ("✅ 已签约", "王建国（主治医师）", "二楼 205 诊室"):
        assert shown in card.text, shown
    assert len(card.text.split("\n")) == 3  # the summary; the rest behind 📋 更多
    # Renewal opens only in the last 30 days (see the module's docstring).
    assert labels(card) == ["📋 更多", "👩‍⚕️ 换医生", "✖️ 解约", "📦 看服务包", "🏠 回主菜单"]
    await resident.press("📋 更多")
    card = await resident.wait_for(message_with("随访 4 次，已用 0 次", after=seen), "all of it")
    for shown in ("【张秀兰·本人】", "【老伴·老伴】", "💰 每年自付 ¥270.00"):
        assert shown in card.text, shown
    seen = await count(wang)
    await wang.press("📇 看签约卡")
    doctors_card = await wang.wait_for(message_with("📇 家庭医生：", after=seen), "his card")
    # The same card, whole, headed for the doctor rather than "我的家庭医生".
    assert doctors_card.text.split("\n")[1:] == card.text.split("\n")[1:]

    # A year later, near the end: one tap renews, same doctor and packages.
    await near_the_end(bot_process, days_left=20)
    seen = await count(resident)
    await resident.press("📝 签约")
    card = await resident.wait_for(message_with("📇 我的家庭医生", after=seen), "the card")
    assert labels(card)[0] == "🔄 一键续约"
    await resident.press("🔄 一键续约")
    await resident.wait_for(message_with("续约成功！服务到"), "the renewal")
    seen = await count(resident)
    await resident.press("📇 看签约卡")
    await resident.wait_for(message_with("📇 我的家庭医生", after=seen), "the renewed card")

    # Change of doctor: 陈静 agrees from her chat, and the card follows.
    await resident.press("👩‍⚕️ 换医生")
    await resident.press("陈静 副主任医师 · 还能签", prefix=True)
    await resident.press("✅ 确定换")
    await resident.wait_for(message_with("已申请换到 陈静 医生"), "the change requested")
    await chen.wait_for(message_with("新的签约申请：张秀兰 等 2 人。"), "her notice")
    await chen.press("📝 查看申请")
    request = await chen.wait_for(message_with("从别的医生换过来"), "the change request")
    assert "服务包：基础服务包、老年人服务包" in request.text
    seen = await count(resident)
    await chen.press("✅ 同意")
    await resident.wait_for(
        message_with("签约成功！陈静 医生已同意", after=seen), "the change agreed"
    )
    seen = await count(resident)
    await resident.press("📝 签约")
    card = await resident.wait_for(message_with("📇 我的家庭医生", after=seen), "the new card")
    assert "陈静（副主任医师）" in card.text
    assert "王建国" not in card.text

    # Cancellation with a reason; 陈静 hears of it; 📝 签约 invites to sign again.
    await resident.press("✖️ 解约")
    await resident.press("搬家了")
    await resident.press("确定解约")
    await resident.wait_for(message_with("已解约"), "the contract cancelled")
    await chen.wait_for(message_with("有一户居民解约了（2 人）"), "her notice of it")
    seen = await count(resident)
    await resident.press("📝 签约")
    await resident.wait_for(message_with("签个家庭医生吧", after=seen), "the invitation")

    for chat in (resident, wang, chen):
        screen = await chat.screen()
        assert not within_telegram_limits(screen), within_telegram_limits(screen)
        assert not any("出了点小问题" in t for t in screen.texts)  # the safety net's apology
