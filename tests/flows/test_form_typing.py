"""What the form engine gives every form, shown on onboarding: each question answered by
typing as an 81-year-old would (the button's words, synonyms, numerals, a place in the
list), the words that go back, leave or ask for plainer words, and changing one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.local_api import Sent
from bot.local_chat import LocalChat
from storage.database import Database
from storage.models import Consent, ConsentKind, Pregnancy, Resident, Sex
from tests.flows.test_onboarding import onboard_by_buttons

SETTLED_MENU = ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"]


def said(replies: list[Sent]) -> str:
    """What the bot said in these replies (not the old questions it took buttons off)."""
    return "\n".join(s.text for s in replies if s.kind == "message")


async def _resident(db: Database) -> Resident:
    async with db.sessionmaker() as session:
        resident = await session.scalar(
            select(Resident).options(
                selectinload(Resident.household), selectinload(Resident.conditions)
            )
        )
        assert resident is not None
        return resident


async def test_every_question_can_be_answered_by_typing(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person(first_name="Bob", last_name=None)
    await chat.say("/start")
    await chat.say("中文")
    await chat.say("可以")  # privacy notice
    assert "敏感个人信息" in chat.last_text()
    await chat.say("好的")  # health data
    await chat.say("我叫王桂芬")
    assert "您的名字是「王桂芬」，对吗？" in chat.last_text()
    await chat.say("对")
    assert "手机号已记下" in said(await chat.say("一三八幺二三四五六七八"))  # 幺 for 1
    assert "1985年3月5日" in said(await chat.say("一九八五年三月五号"))
    await chat.say("女的")
    await chat.say("第二个")  # the second community
    await chat.say("不填")  # address
    await chat.say("高血压")
    assert "✅ 高血压" in [b.text for b in chat.buttons()]
    await chat.say("选好了")
    await chat.say("一年")  # postpartum, within a year
    await chat.say("没有")  # no disability card
    assert "请核对您的资料" in chat.last_text()
    await chat.say("好的")
    assert [b.text for b in chat.buttons()] == SETTLED_MENU

    resident = await _resident(db)
    assert (resident.name, resident.phone) == ("王桂芬", "+8613812345678")
    assert resident.birth_date == date(1985, 3, 5) and resident.sex is Sex.FEMALE
    assert resident.household.community_id == "xingfu-2"
    assert resident.pregnancy is Pregnancy.POSTPARTUM and resident.disability is False
    assert [c.code for c in resident.conditions] == ["hypertension"]


async def test_numerals_and_a_bare_year_at_the_date_questions(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "先不同意", "就叫我", "发送我的手机号"):
        await chat.press(label)
    await chat.say("1948")  # a bare year at the decade question
    assert "出生月份" in chat.last_text()
    await chat.say("上一步")
    assert "出生年份" in chat.last_text()
    await chat.say("一九四九年")  # a bare year, in Chinese numerals, at the year question
    assert "出生月份" in chat.last_text()
    await chat.say("三月")
    assert len([b for b in chat.buttons() if b.text != "⬅️ 上一步"]) <= 6  # a week at a time
    await chat.say("十二号")
    assert "性别" in chat.last_text()
    await chat.say("点错了")
    assert "几号出生" in chat.last_text()
    assert len([b for b in chat.buttons() if b.text != "⬅️ 上一步"]) <= 7


async def test_back_words_go_back_and_never_past_the_first_question(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await chat.say("/start")
    assert "第一步" in said(await chat.say("返回"))
    assert "请选择语言" in chat.last_text()
    for label in ("中文", "同意，继续", "✅ 同意"):
        await chat.press(label)
    await chat.say("返回")
    assert "敏感个人信息" in chat.last_text()
    await chat.press("同意")
    await chat.press("就叫我")
    await chat.say("⬅️ 上一步")  # the phone question's own keyboard button
    assert "怎么称呼您" in chat.last_text()


async def test_confused_gets_plainer_words_and_the_centres_phone(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await chat.say("/start")
    await chat.press("中文")
    explained = said(await chat.say("听不懂"))
    assert "只给您的家庭医生看" in explained and "028-8765 4321" in explained
    assert "120" not in explained  # on its own, in a form, not read as a stroke sign
    assert "✅ 同意，继续" in [b.text for b in chat.buttons()]  # and the question again


async def test_menu_and_cancel_before_registering_keep_the_answers(
    person: Callable[..., LocalChat],
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "✅ 同意", "就叫我", "发送我的手机号"):
        await chat.press(label)
    assert "登记好以后才有主菜单" in said(await chat.say("/menu"))
    assert "先选年代" in chat.last_text()
    await chat.say("⚙️ 设置")  # a main-menu button typed: the same
    assert "先选年代" in chat.last_text()
    await chat.say("/cancel")
    assert "先停在这里" in chat.last_text()
    assert [b.text for b in chat.buttons()] == ["▶️ 继续登记"]
    await chat.press("继续登记")
    assert "先选年代" in chat.last_text()  # the answers so far were kept


async def test_a_registered_resident_leaves_an_edit_with_the_menu_buttons(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await onboard_by_buttons(chat)
    for escape in ("/menu", "/cancel", "取消", "📝 签约"):
        await chat.press("⚙️ 设置")
        await chat.press("我的资料")
        await chat.press("修改资料")
        await chat.press("姓名")
        shown = said(await chat.say(escape))
        assert shown and "怎么称呼您" not in shown, escape
        await chat.say("张三")  # no longer an answer to the name question
        assert (await _resident(db)).name == "张秀兰", escape
    assert "签约" in shown  # the 签约 button was answered by signing


async def test_walking_back_from_an_edit_never_reaches_consent_or_language(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await onboard_by_buttons(chat)
    await chat.press("⚙️ 设置")
    await chat.press("我的资料")
    await chat.press("修改资料")
    await chat.press("出生日期")
    await chat.press("上一步")
    assert "要改哪一项" in chat.last_text()
    await chat.press("上一步")
    everything = said(chat.screen())
    assert everything.count("请选择语言") == 1 and everything.count("不同意") == 1  # the first time
    assert "资料没有改动" in everything
    assert [b.text for b in chat.buttons()][-6:] == SETTLED_MENU
    async with db.sessionmaker() as session:
        refused = await session.scalar(select(Consent).where(Consent.granted.is_(False)))
        assert refused is None
    assert (await _resident(db)).birth_date == date(1948, 3, 5)


async def test_change_one_line_before_saving_keeps_the_rest(
    person: Callable[..., LocalChat], db: Database
) -> None:
    chat = person()
    await chat.say("/start")
    for label in ("中文", "同意，继续", "先不同意", "就叫我", "发送我的手机号", "1940年代",
                  "1948", "3月", "1–7日", "5", "女", "幸福一社区", "跳过"):  # fmt: skip
        await chat.press(label)
    assert "请核对您的资料" in chat.last_text()
    await chat.say("修改资料")
    await chat.say("性别")
    await chat.say("男")
    assert "性别：男" in chat.last_text() and "张秀兰" in chat.last_text()
    await chat.press("✏️ 改一下")
    await chat.press("地址")
    await chat.say("3栋2单元501")
    await chat.press("对，保存")
    resident = await _resident(db)
    assert resident.sex is Sex.MALE and resident.household.address == "3栋2单元501"
    assert resident.birth_date == date(1948, 3, 5) and resident.name == "张秀兰"
    async with db.sessionmaker() as session:
        health = await session.scalar(
            select(Consent).where(Consent.kind == ConsentKind.HEALTH_DATA)
        )
        assert health is not None and health.granted is False


async def test_an_english_name_introduction_is_taken_off(
    person: Callable[..., LocalChat],
) -> None:
    chat = person(first_name="Mary", last_name="Smith", language_code="en")
    await chat.say("/start")
    for label in ("English", "Agree", "Not now"):
        await chat.press(label)
    await chat.say("My name is Mary Jones")
    assert '"Mary Jones"' in chat.last_text()
    await chat.say("yes")
    assert "phone" in chat.last_text().lower()
