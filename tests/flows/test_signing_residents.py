"""The doctor's side, as walked: 👥 居民 opens each resident (a button per signed resident
leads to that resident's card as staff see it; only the team's own residents, checked on the
server); a request can be declined in the doctor's own words; priority groups are listed in
one order (config.yml's) wherever they appear."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.local_chat import LocalChat
from flows.signing.callbacks import StaffResident
from storage.database import Database
from storage.models import Contract, ContractState, Resident
from tests.flows.journeys import Deliver, Household, JoinByInvite, sign_household_by_buttons


async def _resident_ids(db: Database) -> dict[str, int]:
    async with db.sessionmaker() as session:
        return {r.name: r.id for r in await session.scalars(select(Resident))}


async def test_the_doctor_opens_each_resident_from_the_list(
    signed_household: Household,
) -> None:
    [doctor], _resident = await signed_household("dr-wang")
    await doctor.say("👥 居民")
    assert doctor.last_text() == "您现在有 2 位签约居民。\n点名字看这位居民的签约卡："
    names = [b.text for b in doctor.buttons()][:2]
    assert names == ["张秀兰（本人） · 到 2027年11月22日", "老伴（老伴） · 到 2027年11月22日"]

    await doctor.press("老伴（老伴）")
    card = doctor.last_text()
    assert card.startswith("• 老伴（老伴） · 男 · 80岁\n  重点人群：65岁及以上老人、高血压患者")
    assert "📇 家庭医生：王建国（主治医师）" in card
    assert "随访 4 次，已用 0 次" in card
    await doctor.press("返回居民列表")
    assert "2 位签约居民" in doctor.screen()[-1].text


async def test_another_team_and_residents_cannot_open_a_resident(
    signed_household: Household, db: Database
) -> None:
    [_wang, chen], resident = await signed_household("dr-wang", "dr-chen")
    ids = await _resident_ids(db)
    await chen.say("👥 居民")
    assert "您现在有 0 位签约居民。" in chen.last_text()
    message_id = chen.screen()[-1].message_id
    assert message_id is not None
    for name in ("张秀兰", "老伴"):
        await chen.press_data(StaffResident(resident_id=ids[name]).pack(), message_id)
    await resident.press_data(
        StaffResident(resident_id=ids["老伴"]).pack(), resident.screen()[-1].message_id or 0
    )
    for chat in (chen, resident):
        seen = [s for s in chat.screen()[-2:] if s.kind != "message"]
        assert seen and all(s.text == "这个按钮不是给您的。" for s in seen)
        assert not any("80岁" in (s.text or "") for s in chat.screen())


async def test_priority_groups_are_listed_in_config_order(
    person: Callable[..., LocalChat], join_by_invite: JoinByInvite, deliver: Deliver
) -> None:
    doctor = await join_by_invite("dr-wang")
    resident = person()
    await resident.say("/start")
    for label in (
        "中文",
        "同意，继续",
        "✅ 同意",
        "就叫我",
        "发送我的手机号",
        "1940年代",
        "1948",
        "3月",
        "1–7日",
        "5",
        "女",
        "幸福一社区",
        "跳过",
        "糖尿病",
        "高血压",
        "选好了",
        "没有",
    ):  # fmt: skip  diabetes tapped first
        await resident.press(label)
    groups = "65岁及以上老人、高血压患者、糖尿病患者"
    assert groups in resident.last_text()  # the summary before saving
    await resident.press("对，保存")
    assert groups in "\n".join(s.text or "" for s in resident.screen()[-3:])

    await sign_household_by_buttons(resident)
    await deliver()
    await doctor.press("查看申请")
    assert f"重点人群：{groups}" in doctor.last_text()


async def test_the_doctor_types_a_reason_for_declining(
    household_request: Household, db: Database, deliver: Deliver
) -> None:
    [doctor], resident = await household_request("dr-wang")
    await doctor.press("查看申请")
    await doctor.press("不同意")
    await doctor.press("自己写原因")
    assert "请打字写一下不同意的原因" in doctor.last_text()
    await doctor.say("/")  # not a reason: asked again, nothing sent
    assert "请用一两句话写原因（300 字以内）" in doctor.last_text()
    await doctor.say("您家不在幸福社区，请到玉林社区卫生服务中心签约。")
    assert doctor.last_text().startswith("您写的原因：\n您家不在幸福社区")
    await doctor.press("重写")
    await doctor.say("您家住在玉林，请到玉林社区卫生服务中心签约。")
    await doctor.press("确定，发给居民")
    assert "您写的原因已经发给居民" in "\n".join(s.text or "" for s in doctor.screen()[-3:])

    await deliver()
    assert resident.last_text().endswith("原因：您家住在玉林，请到玉林社区卫生服务中心签约。")
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None and contract.state is ContractState.REJECTED
        assert (contract.reason, contract.reason_note) == (
            "written",
            "您家住在玉林，请到玉林社区卫生服务中心签约。",
        )
    await doctor.say("谢谢")  # later text is not taken for a reason
    assert "您写的原因" not in doctor.last_text()
