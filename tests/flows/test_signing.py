"""Signing by buttons alone: a household with two packages, the doctor approves from their
side, both see the same card; then renewal, change of doctor and cancellation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.local_chat import LocalChat
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import Contract, ContractState, Relation, Resident, Sex
from tests.flows.journeys import Deliver, Household, onboard_by_buttons, recent


async def test_household_signs_by_buttons_and_doctor_approves(
    household_request: Household, db: Database, deliver: Deliver
) -> None:
    [doctor], resident = await household_request("dr-wang")
    assert "申请已提交" in "\n".join(s.text or "" for s in resident.screen()[-6:])
    summary_screen = "\n".join(s.text or "" for s in resident.screen()[-6:])
    assert "张秀兰（本人）：基础服务包、高血压服务包" in summary_screen
    assert "老伴（老伴）：基础服务包、老年人服务包" in summary_screen
    assert "每年自付 ¥270.00" in summary_screen  # 120 (hypertension) + 150 (elderly)

    assert "新的签约申请：张秀兰 等 2 人。" in doctor.last_text()
    await doctor.press("查看申请")
    request = doctor.last_text()
    assert "张秀兰（本人） · 女 · 78岁" in request
    assert "老伴（老伴） · 男 · 80岁" in request
    assert "服务包：基础服务包、高血压服务包" in request
    await doctor.press("✅ 同意")
    assert "已同意签约" in recent(doctor)

    await deliver()
    assert "签约成功！王建国 医生已同意" in resident.last_text()
    await resident.press("看签约卡")
    resident_card = resident.last_text()
    assert "✅ 已签约" in resident_card
    assert "王建国（主治医师）" in resident_card
    assert "二楼 205 诊室" in resident_card
    await resident.press("更多")
    resident_card = resident.screen()[-1].text or ""  # the card, edited in place
    assert "李秀英（护士）" in resident_card
    assert "2026年11月23日 至 2027年11月22日" in resident_card
    assert "随访 4 次，已用 0 次" in resident_card
    assert "【老伴·老伴】" in resident_card

    await doctor.press("看签约卡")
    # The same card, headed for the doctor ("家庭医生" rather than "我的家庭医生").
    assert doctor.last_text().split("\n")[1:] == resident_card.split("\n")[1:]

    async with db.sessionmaker() as session:
        contract = await session.scalar(
            select(Contract).options(selectinload(Contract.transitions))
        )
        assert contract is not None and contract.state is ContractState.ACTIVE
        assert [t.to_state for t in contract.transitions] == [
            ContractState.REQUESTED,
            ContractState.ACTIVE,
        ]


async def test_doctor_turns_a_request_down_with_a_reason(
    household_request: Household, deliver: Deliver
) -> None:
    [doctor], resident = await household_request("dr-wang")
    await doctor.press("查看申请")
    await doctor.press("不同意")
    await doctor.press("不在服务范围")
    assert "没有同意（不在服务范围）" in recent(doctor)
    await deliver()
    assert "原因：不在服务范围" in resident.last_text()
    await resident.press("重新签约")
    assert "这次给谁签约" in resident.last_text()


async def test_renewal_change_of_doctor_and_cancellation(
    signed_household: Household, db: Database, clock: FrozenClock,
    deliver: Deliver,
) -> None:  # fmt: skip
    [_wang, chen], resident = await signed_household("dr-wang", "dr-chen")

    # Renewal: offered only near the end; the notice 30 days before carries a one-tap button.
    await resident.say("📝 签约")
    assert "一键续约" not in [b.text for b in resident.buttons()]
    clock.advance(timedelta(days=365 - 30))  # 30 days before the end: the notice is due
    await deliver()
    assert "签约 2027年11月22日 到期" in resident.last_text()
    await resident.press("一键续约")
    assert "续约成功！服务到 2028年11月22日" in recent(resident)

    # Change of doctor: the current doctor serves until the new one agrees.
    await resident.say("📝 签约")
    await resident.press("换医生")
    await resident.press("陈静")
    await resident.press("确定换")
    assert "已申请换到 陈静 医生" in recent(resident)
    await deliver()
    await chen.press("查看申请")
    assert "从别的医生换过来" in chen.last_text()
    await chen.press("✅ 同意")
    await deliver()
    await resident.say("📝 签约")
    assert "陈静（副主任医师）" in resident.last_text()

    # A second change within a year is refused, kindly.
    await resident.press("换医生")
    await resident.press("王建国")
    await resident.press("确定换")
    alerts = [s.text for s in resident.screen() if s.kind == "alert"]
    assert alerts[-1] == "按规定，一年只能换 1 次医生。"

    # Cancellation with a reason; the doctor hears of it.
    await resident.say("📝 签约")
    await resident.press("解约")
    await resident.press("搬家了")
    await resident.press("确定解约")
    assert "已解约" in recent(resident)
    await deliver()
    assert "有一户居民解约了（2 人）" in chen.last_text()
    await resident.say("📝 签约")
    assert "签个家庭医生吧" in resident.last_text()

    async with db.sessionmaker() as session:
        states = [c.state for c in await session.scalars(select(Contract).order_by(Contract.id))]
    assert states == [
        ContractState.RENEWED,  # the first year
        ContractState.CANCELLED,  # the renewed year, replaced by the change of doctor
        ContractState.CANCELLED,  # with 陈静, cancelled: moved away
    ]


async def test_packages_show_prices_items_and_why_some_are_not_offered(
    onboarded: LocalChat,
) -> None:
    resident = onboarded  # 78, hypertension and diabetes
    await resident.say("📝 签约")
    await resident.press("看服务包")
    await resident.press("高血压服务包")
    details = resident.last_text()
    assert "自付 ¥120.00/年（医保付 ¥180.00）" in details
    assert "• 随访，每年 4 次" in details
    assert "• 血压测量，每年 12 次" in details

    await resident.press("返回服务包列表")
    await resident.press("开始签约")
    await resident.press("选好了，下一步")
    await resident.press("王建国")
    await resident.press("就选这位医生")
    offers = resident.last_text()
    assert "• 儿童服务包：6 岁及以下才能选" in offers
    assert "• 孕产妇服务包：怀孕或生孩子一年内才能选" in offers
    assert "• 残疾人服务包：登记了残疾才能选" in offers
    offered = [b.text for b in resident.buttons()]
    assert "⬜ 糖尿病服务包 · 自付 ¥200.00/年（医保付 ¥300.00）" in offered
    assert not any("儿童服务包" in b for b in offered)


async def test_an_unanswered_request_is_escalated_and_the_resident_told(
    household_request: Household, clock: FrozenClock, deliver: Deliver
) -> None:
    [doctor, nurse], resident = await household_request("dr-wang", "nurse-li")
    clock.advance(timedelta(hours=71))
    await deliver()
    assert "催办" not in doctor.last_text()
    clock.advance(timedelta(hours=1))
    await deliver()
    for staff in (doctor, nurse):
        assert "⏰ 催办：张秀兰 的签约申请已等了 72 小时，还没有处理。" in staff.last_text()
    assert "还在等医生审核，我们已经催办了" in resident.last_text()
    assert "028-8765 4321" in resident.last_text()


async def test_a_family_member_can_be_typed_and_steps_walked_back(
    person: Callable[..., LocalChat], db: Database
) -> None:
    resident = person()
    await onboard_by_buttons(resident, health=False)
    await resident.say("📝 签约")
    await resident.press("开始签约")
    await resident.press("添加家人")
    await resident.press("母亲")
    await resident.say("   ")
    assert "名字好像不太对" in resident.last_text()
    await resident.say("王桂芬")
    await resident.say("1932年4月8日")
    # Without the resident's own health-data consent, no health questions are asked.
    assert "已添加：王桂芬" in recent(resident)
    # Answered by typing, the name and birth-year questions no longer offer their buttons.
    asked = [s.message_id for s in resident.screen() if s.kind == "message"
             and ("叫什么名字" in s.text or "哪一年出生" in s.text)]  # fmt: skip
    assert len(asked) == 2 and not set(asked) & set(resident.messages_with_buttons())
    await resident.press("添加家人")
    await resident.press("老伴")
    await resident.say("李国强")
    await resident.say("1950-06-01")
    assert "是男是女" in resident.last_text()
    await resident.press("上一步")
    assert "几号" in resident.last_text()
    await resident.press("上一步")
    await resident.press("上一步")
    assert "哪一年" in resident.last_text()
    await resident.press("1950")
    await resident.press("6月")
    await resident.press("1")
    await resident.press("男")
    assert "已添加：李国强" in recent(resident)
    names = [b.text for b in resident.buttons()]
    assert "✅ 王桂芬（母亲）" in names and "✅ 李国强（老伴）" in names

    async with db.sessionmaker() as session:
        mother = await session.scalar(select(Resident).where(Resident.relation == Relation.MOTHER))
        assert mother is not None and mother.birth_date.isoformat() == "1932-04-08"
        assert mother.sex is Sex.FEMALE and mother.conditions == [] and mother.disability is None
