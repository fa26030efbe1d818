"""Health-data consent holds in the database, not in the conversation: a profile edit left
open across a withdrawal writes no health facts back; a withdrawal erases the family members'
health facts recorded under it; a family member's health facts rest on a consent given for
them, whatever the form's state says."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select

from bot.local_chat import LocalChat
from flows.settings.keyboards import SettingsChoice
from flows.signing.callbacks import Family
from flows.signing.family import FamilyForm
from storage.database import Database
from storage.models import Consent, ConsentKind, Relation, Resident
from tests.flows.journeys import recent


async def _member(db: Database, relation: Relation) -> Resident:
    async with db.sessionmaker() as session:
        member = await session.scalar(select(Resident).where(Resident.relation == relation))
        assert member is not None
        return member


async def _open_consent_page(chat: LocalChat) -> int:
    """⚙️ 设置 → 健康信息同意: the message with 「不再同意」, left on screen for later."""
    await chat.press("⚙️ 设置")
    await chat.press("健康信息同意")
    assert "您已同意" in chat.last_text()
    return max(chat.messages_with_buttons())


async def test_withdrawing_during_a_profile_edit_keeps_conditions_out(
    onboarded: LocalChat, db: Database
) -> None:
    chat = onboarded
    consent_page = await _open_consent_page(chat)
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")
    await chat.press("修改资料")
    await chat.say("张秀兰")
    for label in ("发送我的手机号", "1940年代", "1948", "3月", "5", "女", "幸福一社区", "跳过"):
        await chat.press(label)
    assert "慢性病" in chat.last_text()  # the edit began with consent: it asks about conditions
    # Meanwhile, the old settings message: she withdraws her consent.
    await chat.press_data(SettingsChoice(action="health_off").pack(), consent_page)
    assert "已删除" in chat.last_text()
    await chat.press("选好了")  # her conditions, kept in the edit's state, still ticked
    await chat.press("有")  # disability
    saved = await chat.press("对，保存")

    shown = "\n".join(s.text or "" for s in saved if s.kind == "message")
    assert "不再同意记录健康信息" in shown and "没有保存" in shown
    assert "登记好了" in shown and "高血压" not in shown
    async with db.sessionmaker() as session:
        resident = await session.scalar(select(Resident))
        assert resident is not None
        assert resident.conditions == [] and resident.disability is None
        assert [t.tag for t in resident.tags] == ["elderly"]


async def _add_daughter(chat: LocalChat, *, record_health: bool) -> None:
    """From 📝 签约: a pregnant daughter (with her agreement, her health facts recorded)."""
    await chat.say("📝 签约")
    await chat.press("开始签约")
    await chat.press("添加家人")
    await chat.press("女儿")
    await chat.say("李小红")
    await chat.say("1995-07-12")
    if not record_health:
        return
    await chat.press("记录（家人已同意）")
    await chat.press("糖尿病")
    await chat.press("选好了")
    await chat.press("怀孕中")
    await chat.press("有")  # disability


async def test_withdrawal_erases_the_family_members_health_facts(
    onboarded: LocalChat, db: Database
) -> None:
    chat = onboarded
    await _add_daughter(chat, record_health=True)
    assert "已添加：李小红" in recent(chat, 4)
    daughter = await _member(db, Relation.DAUGHTER)
    assert [c.code for c in daughter.conditions] == ["diabetes"]
    assert {t.tag for t in daughter.tags} == {"diabetes", "maternal", "disability"}

    await chat.say("/cancel")
    await _open_consent_page(chat)
    await chat.press("不再同意")
    assert "已删除" in chat.last_text()

    daughter = await _member(db, Relation.DAUGHTER)
    assert daughter.conditions == [] and daughter.tags == []
    assert daughter.pregnancy is None and daughter.disability is None
    # Her facts rested on the consent her mother gave for her: revoked, and kept as a record.
    async with db.sessionmaker() as session:
        consent = await session.scalar(
            select(Consent).where(Consent.subject_resident_id == daughter.id)
        )
        assert consent is not None and consent.kind is ConsentKind.MEMBER_HEALTH_DATA
        assert consent.granted and consent.revoked_at is not None


async def test_family_form_without_a_consent_for_the_member_stores_no_health_facts(
    onboarded: LocalChat, db: Database, dp: Dispatcher, bot: Bot
) -> None:
    chat = onboarded
    await _add_daughter(chat, record_health=False)
    assert "慢病" in chat.last_text()  # the health question, not answered
    question = max(chat.messages_with_buttons())
    # The conversation state claims she agreed and holds health answers; no consent was
    # recorded for her. The last answer arrives as if the form had got there.
    key = StorageKey(bot_id=bot.id, chat_id=chat.chat.id, user_id=chat.person.id)
    data = await dp.storage.get_data(key)
    forged = {
        **data["fm"],
        "health": True,
        "cond": ["diabetes"],
        "preg": "pregnant",
        "consent": 1,
    }  # fmt: skip  (1: her own onboarding consent's id, not a member's)
    await dp.storage.update_data(key, {"fm": forged})
    await dp.storage.set_state(key, FamilyForm.disab)
    await chat.press_data(Family(step="disab", value="yes").pack(), question)

    assert "已添加：李小红" in recent(chat, 4)
    daughter = await _member(db, Relation.DAUGHTER)
    assert daughter.conditions == [] and daughter.pregnancy is None
    assert daughter.disability is None and daughter.tags == []
