"""Every signing button is checked on the server: forged or foreign presses change nothing
and reveal nothing; old buttons say so kindly; a full grid offers the waiting list."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update

from bot.local_chat import LocalChat
from flows.signing.callbacks import CardAction, Decide, Review, Wizard
from storage.database import Database
from storage.models import Contract, ContractState, Staff, WaitlistEntry
from tests.flows.journeys import Household, alerts, onboard_by_buttons

STALE = "这个按钮已经不能用了，请点最新消息里的按钮。"


async def _state(db: Database) -> ContractState:
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None
        return contract.state


async def test_forged_and_foreign_presses_change_nothing(
    household_request: Household, db: Database
) -> None:
    [wang, chen], resident = await household_request("dr-wang", "dr-chen")
    anchor = resident.screen()[-1].message_id
    assert anchor is not None

    # The resident forges the doctor's "agree" button.
    await resident.press_data(Decide(contract_id=1, verdict="yes").pack(), anchor)
    assert alerts(resident)[-1] == "这个按钮不是给您的。"
    # Another team's doctor opens and answers a request that is not theirs.
    chen_anchor = chen.screen()[-1].message_id
    assert chen_anchor is not None
    before = len(chen.screen())
    await chen.press_data(Review(contract_id=1).pack(), chen_anchor)
    await chen.press_data(Decide(contract_id=1, verdict="yes").pack(), chen_anchor)
    await chen.press_data(Decide(contract_id=1, verdict="card").pack(), chen_anchor)
    shown = [s.text or "" for s in chen.screen()[before:] if s.kind == "message"]
    assert shown == []  # nothing of the household was shown
    assert alerts(chen)[-3:] == ["这个按钮不是给您的。"] * 3
    # A doctor presses the resident's buttons; garbage and unknown ids are refused too.
    await wang.press_data(CardAction(action="renew").pack(), wang.screen()[-1].message_id or 0)
    await wang.press_data(Decide(contract_id=999, verdict="yes").pack(), 1)
    await wang.press_data("sgd:1:drop table", 1)
    assert await _state(db) is ContractState.REQUESTED

    # Only then does the right doctor agree; a second tap finds it decided.
    await wang.press("查看申请")
    await wang.press("✅ 同意")
    assert await _state(db) is ContractState.ACTIVE
    await wang.press_data(Decide(contract_id=1, verdict="no").pack(), 1)
    await wang.press_data(Decide(contract_id=1, verdict="full").pack(), 1)
    assert await _state(db) is ContractState.ACTIVE


async def test_old_wizard_buttons_are_refused_kindly(onboarded: LocalChat) -> None:
    resident = onboarded
    await resident.say("📝 签约")
    await resident.press("开始签约")
    who = resident.screen()[-1].message_id
    assert who is not None
    await resident.say("/cancel")
    await resident.press_data(Wizard(step="who", value="done").pack(), who)
    assert alerts(resident)[-1] == STALE
    await resident.press_data(Wizard(step="confirm", value="yes").pack(), who)
    assert alerts(resident)[-1] == STALE


async def test_a_full_grid_offers_the_waiting_list(
    person: Callable[..., LocalChat], db: Database,
) -> None:  # fmt: skip
    async with db.sessionmaker() as session:
        await session.execute(update(Staff).where(Staff.id == "dr-wang").values(max_residents=0))
        await session.execute(update(Staff).where(Staff.id == "dr-chen").values(max_residents=0))
        await session.commit()
    resident = person()
    await onboard_by_buttons(resident)
    await resident.say("📝 签约")
    await resident.press("开始签约")
    await resident.press("选好了，下一步")
    assert "名额都满了" in resident.last_text()
    await resident.press("排队等空位")
    assert "已帮您排上队" in resident.last_text()
    async with db.sessionmaker() as session:
        entry = await session.scalar(select(WaitlistEntry))
        assert entry is not None and entry.community_id == "xingfu-1"


async def test_the_team_sees_a_request_but_only_its_doctor_decides(
    household_request: Household, db: Database
) -> None:
    [_, nurse], _resident = await household_request("dr-wang", "nurse-li")
    assert "新的签约申请：张秀兰 等 2 人。" in nurse.last_text()
    await nurse.press("查看申请")
    assert "张秀兰（本人） · 女 · 78岁" in nurse.last_text()
    await nurse.press("✅ 同意")
    assert alerts(nurse)[-1] == "这个按钮不是给您的。"
    assert await _state(db) is ContractState.REQUESTED
    await nurse.say("📋 待办")
    assert "签约申请：1 个" in nurse.last_text()


async def test_forged_step_names_are_refused_not_crashing(onboarded: LocalChat) -> None:
    resident = onboarded
    await resident.say("📝 签约")
    await resident.press("开始签约")
    anchor = resident.screen()[-1].message_id or 0
    question = resident.last_text()
    for data in ("sgs:__name__:x", "sgs:__class__:x", "sgf:__doc__:x", "sgf:states:x",
                 "sgs:who:999999", "sgf:relation:king", "sgx:dr-nobody:1", "sgq:bored:1",
                 "pkg:../../etc", "sgc:explode"):  # fmt: skip
        before = len(alerts(resident))
        await resident.press_data(data, anchor)
        # Each press gets a kind refusal of its own; the wizard stays on its question.
        shown = alerts(resident)[before:]
        assert len(shown) == 1 and shown[0].startswith("这个按钮已经不能用了"), (data, shown)
        assert resident.last_text() == question, data
