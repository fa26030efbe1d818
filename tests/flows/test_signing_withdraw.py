"""A request nobody has decided yet can be taken back by the household: it leaves the
doctor's queue, no reminder about it goes out, and an old button the doctor presses is
answered kindly. A pending change of doctor can be taken back the same way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.local_chat import LocalChat
from flows.clock import FrozenClock
from storage.database import Database
from storage.models import Contract, ContractState
from tests.flows.journeys import Deliver, Household


def alerts(chat: LocalChat) -> list[str]:
    return [s.text or "" for s in chat.screen() if s.kind == "alert"]


async def test_a_pending_request_is_withdrawn_and_leaves_the_doctors_queue(
    household_request: Household, db: Database, clock: FrozenClock, deliver: Deliver
) -> None:
    [doctor], resident = await household_request("dr-wang")
    notice_buttons = doctor.buttons()  # the "new request" notice, still on the doctor's screen

    await resident.say("📝 签约")
    await resident.press("↩️ 撤回申请")
    assert "要撤回这个申请吗" in resident.screen()[-1].text
    await resident.press("✅ 确定撤回")
    assert "已撤回签约申请" in "\n".join(s.text or "" for s in resident.screen()[-3:])
    await resident.say("📝 签约")
    assert "签个家庭医生吧" in resident.last_text()  # free to sign again

    await doctor.say("📋 待办")
    assert "签约申请：0 个" in doctor.last_text()
    await doctor.press_button(next(b for b in notice_buttons if "查看申请" in b.text))
    assert alerts(doctor)[-1] == "居民已经撤回了这个申请，不用再处理了。谢谢您！"

    clock.advance(timedelta(hours=73))
    await deliver()
    assert "催办" not in doctor.last_text()
    assert "还在等医生审核" not in resident.last_text()
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None
        assert (contract.state, contract.reason) == (ContractState.REJECTED, "withdrawn")


async def test_the_doctor_deciding_an_opened_request_after_it_was_withdrawn_is_told(
    household_request: Household, db: Database
) -> None:
    [doctor], resident = await household_request("dr-wang")
    await doctor.press("查看申请")  # open, then the household withdraws meanwhile
    await resident.say("📝 签约")
    await resident.press("↩️ 撤回申请")
    await resident.press("✅ 确定撤回")

    await doctor.press("✅ 同意")
    assert alerts(doctor)[-1] == "居民已经撤回了这个申请，不用再处理了。谢谢您！"
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None and contract.state is ContractState.REJECTED


async def test_an_old_withdraw_button_acts_on_nothing_once_the_doctor_agreed(
    household_request: Household, db: Database
) -> None:
    [doctor], resident = await household_request("dr-wang")
    await resident.say("📝 签约")
    await resident.press("↩️ 撤回申请")
    await doctor.press("查看申请")
    await doctor.press("✅ 同意")
    await resident.press("✅ 确定撤回")
    assert "情况有变化" in alerts(resident)[-1]
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None and contract.state is ContractState.ACTIVE


async def test_a_pending_change_of_doctor_can_be_taken_back(
    signed_household: Household, db: Database
) -> None:
    [_doctor], resident = await signed_household("dr-wang")
    await resident.say("📝 签约")
    await resident.press("换医生")
    await resident.press("陈静")
    await resident.press("确定换")
    await resident.say("📝 签约")
    assert "正在申请换到 陈静 医生" in resident.last_text()
    await resident.press("↩️ 不换医生了")
    await resident.press("✅ 确定撤回")
    assert "现在的医生照常为您服务" in resident.screen()[-1].text
    await resident.say("📝 签约")
    assert "正在申请换到" not in resident.last_text()
    assert "👩‍⚕️ 换医生" in [b.text for b in resident.buttons()]
    async with db.sessionmaker() as session:
        states = [c.state for c in await session.scalars(select(Contract).order_by(Contract.id))]
    assert states == [ContractState.ACTIVE, ContractState.REJECTED]
