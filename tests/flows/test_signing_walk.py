"""What walking the signing flow as an 81-year-old and as a doctor found, held as tests:
after sending the request the way on is the card, not "sign" again; the card opens with
three lines; reasons a package is closed speak of the person; money has two decimals."""

from __future__ import annotations

from collections.abc import Callable

from bot.local_chat import LocalChat
from tests.flows.journeys import Household, onboard_by_buttons


def labels(chat: LocalChat) -> list[str]:
    return [b.text for b in chat.buttons()]


def last_shown(chat: LocalChat) -> str:
    """The newest text on screen, a message edited in place included."""
    return chat.screen()[-1].text or ""


async def test_after_the_request_the_way_on_is_the_card_and_the_menu(
    household_request: Household,
) -> None:
    _staff, resident = await household_request("dr-wang")
    assert "申请已提交" in resident.last_text()
    shown = labels(resident)
    assert "📇 看我的申请" in shown and "🏠 回主菜单" in shown
    assert not any("开始签约" in label for label in shown)  # the old invitation is gone

    await resident.press("看我的申请")
    assert "⏳ 等医生审核" in resident.last_text()


async def test_the_card_opens_with_three_lines_and_more_shows_the_rest(
    signed_household: Household,
) -> None:
    _staff, resident = await signed_household("dr-wang")
    await resident.say("📝 签约")
    card = resident.last_text()
    assert card.split("\n") == [
        "📇 我的家庭医生：王建国（主治医师）",
        "✅ 已签约 · 2026年11月23日 至 2027年11月22日",
        "🏥 二楼 205 诊室 · 全科一团队",
    ]
    await resident.press("📋 更多")
    whole = last_shown(resident)
    assert whole.startswith(card + "\n\n")
    # Clinic hours one line a day, the day's sessions together.
    hours = "  周一 08:30-11:30、14:00-17:00\n  周三 08:30-11:30\n  周五 08:30-11:30、14:00-17:00"
    assert hours in whole
    assert "随访 4 次，已用 0 次" in whole
    assert "💰 每年自付 ¥270.00" in whole
    assert "📋 更多" not in labels(resident)
    assert "✖️ 解约" in labels(resident)


async def test_closed_packages_say_why_in_the_persons_terms(
    person: Callable[..., LocalChat],
) -> None:
    resident = person()
    await onboard_by_buttons(resident, health=False)  # a woman of 78, no health consent
    await resident.say("📝 签约")
    await resident.press("开始签约")
    await resident.press("选好了，下一步")
    await resident.press("王建国")
    await resident.press("就选这位医生")
    offers = resident.last_text()
    # Past the age of pregnancy: not "agree to record health information first".
    assert "• 孕产妇服务包：怀孕或生孩子一年内才能选" in offers
    # One line for one reason, the packages it closes together.
    assert "• 高血压服务包、糖尿病服务包、残疾人服务包：没有记录健康情况，看不出能不能选" in offers
    assert "给残疾人的服务包" not in offers and "残疾人服务包：残疾" not in offers
    assert "⬜ 老年人服务包 · 自付 ¥150.00/年（医保付 ¥150.00）" in labels(resident)


async def test_the_chosen_doctor_is_confirmed_before_going_on(
    person: Callable[..., LocalChat],
) -> None:
    resident = person()
    await onboard_by_buttons(resident)
    await resident.say("📝 签约")
    await resident.press("开始签约")
    await resident.press("选好了，下一步")
    await resident.press("陈静")
    shown = resident.last_text()
    assert shown.startswith(
        "您选的是这位医生：\n\n👩‍⚕️ 陈静（副主任医师）\n👥 全科二团队\n🏥 二楼 207 诊室"
    )
    assert "  周二 08:30-11:30、14:00-17:00" in shown
    assert labels(resident)[:2] == ["✅ 就选这位医生", "⬅️ 换一位"]
    await resident.press("换一位")
    assert "请选一位家庭医生" in resident.last_text()
    await resident.press("王建国")
    await resident.press("就选这位医生")
    assert resident.last_text().startswith("给 张秀兰（本人） 选服务包")
