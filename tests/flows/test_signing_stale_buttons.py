"""Old buttons act on nothing new: a cancel confirmation left on screen does not cancel the
contract that replaced the one it was shown for; a signed household cannot join the waiting
list with a forged button."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.local_chat import LocalChat
from flows.signing.callbacks import CardAction
from storage.database import Database
from storage.models import Contract, ContractState, WaitlistEntry
from tests.flows.journeys import Deliver, Household


def _button(chat: LocalChat, label: str) -> tuple[str, int]:
    """The callback data and message id of a button still on screen (pressed later)."""
    for message_id, markup in chat.messages_with_buttons().items():
        for row in markup.inline_keyboard:
            for button in row:
                if button.text == label and button.callback_data is not None:
                    return button.callback_data, message_id
    raise LookupError(label)


async def _states(db: Database) -> list[ContractState]:
    async with db.sessionmaker() as session:
        return list(await session.scalars(select(Contract.state).order_by(Contract.id)))


async def test_an_old_cancel_confirmation_leaves_the_new_contract_alone(
    signed_household: Household, db: Database, deliver: Deliver
) -> None:
    [_wang, chen], resident = await signed_household("dr-wang", "dr-chen")
    # She starts cancelling, stops at the confirmation, and changes doctor instead.
    await resident.say("📝 签约")
    await resident.press("解约")
    await resident.press("搬家了")
    old_confirm = _button(resident, "确定解约")
    await resident.say("📝 签约")
    await resident.press("换医生")
    await resident.press("陈静")
    await resident.press("确定换")
    await deliver()
    await chen.press("查看申请")
    await chen.press("✅ 同意")
    await deliver()
    assert await _states(db) == [ContractState.CANCELLED, ContractState.ACTIVE]

    await resident.press_data(*old_confirm)
    assert await _states(db) == [ContractState.CANCELLED, ContractState.ACTIVE]
    assert resident.screen()[-1].kind == "alert"
    assert "之前那份签约" in resident.screen()[-1].text


async def test_a_signed_household_cannot_join_the_waiting_list(
    signed_household: Household, db: Database
) -> None:
    _staff, resident = await signed_household("dr-wang")
    await resident.say("📝 签约")
    card = max(resident.messages_with_buttons())
    await resident.press_data(CardAction(action="waitlist").pack(), card)
    assert resident.screen()[-1].kind == "alert"
    assert "不用排队" in resident.screen()[-1].text
    async with db.sessionmaker() as session:
        assert await session.scalar(select(func.count(WaitlistEntry.id))) == 0
