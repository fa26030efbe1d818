"""Staff see a household only while it is assigned to their team: after a change of doctor
to another team, the old team's "📝 查看申请" button and forged contract ids show nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.local_chat import LocalChat
from flows.signing.callbacks import Decide, Review
from storage.database import Database
from storage.models import Contract
from tests.flows.journeys import Deliver, Household

REFUSAL = "这户居民已经不归您的团队负责了，他们的资料不再显示。"


def _review_notice(chat: LocalChat) -> int:
    """The message id of the first signing-request notice, with its 📝 查看申请 button."""
    return next(
        s.message_id for s in chat.screen()
        if s.kind == "message" and "新的签约申请" in s.text and s.message_id is not None
    )  # fmt: skip


async def _contract_ids(db: Database) -> list[int]:
    async with db.sessionmaker() as session:
        return list(await session.scalars(select(Contract.id).order_by(Contract.id)))


def _shows_the_household(text: str) -> bool:
    return any(word in text for word in ("张秀兰", "老伴", "岁", "高血压", "老人"))


async def test_the_old_team_sees_nothing_after_the_household_moves(
    household_request: Household, db: Database, deliver: Deliver
) -> None:
    [wang, chen], resident = await household_request("dr-wang", "dr-chen")
    notice = _review_notice(wang)
    await wang.press("查看申请")
    await wang.press("✅ 同意")
    await deliver()
    [first] = await _contract_ids(db)

    # The household asks to move to 陈静 of the other team; until she agrees, 王建国 still serves.
    await resident.say("📝 签约")
    await resident.press("换医生")
    await resident.press("陈静")
    await resident.press("确定换")
    await deliver()
    await wang.press_data(Review(contract_id=first).pack(), notice)
    assert "张秀兰（本人）" in wang.last_text()
    await chen.press("查看申请")
    await chen.press("✅ 同意")
    await deliver()
    [_, second] = await _contract_ids(db)

    # Moved: the old button, its card and a forged id for the new contract show nothing.
    before = len(wang.screen())
    for data in (
        Review(contract_id=first).pack(),
        Decide(contract_id=first, verdict="card").pack(),
        Decide(contract_id=first, verdict="no").pack(),
        Review(contract_id=second).pack(),
        Review(contract_id=second + 1).pack(),
    ):
        await wang.press_data(data, notice)
    seen = wang.screen()[before:]
    assert [s.kind for s in seen] == ["alert"] * 5
    assert [s.text for s in seen[:3]] == [REFUSAL] * 3
    assert not any(_shows_the_household(s.text or "") for s in seen)
    # The new team sees them.
    await chen.press_data(Review(contract_id=second).pack(), _review_notice(chen))
    assert "张秀兰（本人）" in chen.last_text()
