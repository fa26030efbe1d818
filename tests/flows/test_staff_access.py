"""Who holds a staff post, as the people involved notice it: an old invite cannot take a
doctor's account, a held post is refused kindly, staff the admin removes (or config.yml no
longer lists) lose staff access and team notices at once, an admin joined by invite hears
escalations, and the whole team sees the team's open questions in 📋 待办."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from aiogram import Bot
from sqlalchemy import select

from bot.app import ErrorTally, build_dispatcher, make_i18n
from bot.delivery import Deliverer
from bot.local_api import LocalBotApi
from bot.local_chat import LocalChat
from bot.settings import settings_from_mapping
from bot.terminal_chat import run_terminal_chat
from flows.admin.service import create_admin_invite, invite_hash, remove_staff, sync_centre
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from flows.understanding.service import UnderstandingService
from storage.database import Database
from storage.invites import add_invite
from storage.models import Contract, ContractState, Role, User
from storage.models.centre import InviteKind
from storage.users import find_user
from tests.conftest import ROOT
from tests.flows.journeys import Deliver, Household, InviteCode, JoinByInvite, recent

STAFF_MENU = ["📋 待办", "👥 居民", "⚙️ 设置"]
RESIDENT_MENU = ["📝 签约", "📅 预约", "💊 用药", "👩‍⚕️ 问医生", "📈 记录", "⚙️ 设置"]


def _menu(chat: LocalChat) -> list[str]:
    return [b.text for b in chat.buttons() if b.callback_data is None]


async def _role(db: Database, chat: LocalChat) -> tuple[Role, str | None]:
    async with db.sessionmaker() as session:
        user = await find_user(session, chat.person.id)
        assert user is not None
        return user.role, user.staff_id


async def _old_open_invite(db: Database, clock: FrozenClock, staff_id: str, code: str) -> str:
    """An open invite as made before newer invites revoked older ones."""
    now = clock.now()
    async with db.sessionmaker() as session:
        await add_invite(session, code_hash=invite_hash(code), kind=InviteKind.STAFF, now=now,
                         expires_at=now + timedelta(days=7), staff_id=staff_id)  # fmt: skip
        await session.commit()
    return code


async def test_an_older_invite_cannot_take_over_a_doctor_who_joined_with_a_newer_one(
    person: Callable[..., LocalChat], db: Database, clock: FrozenClock,
    invite_code: InviteCode, join_by_invite: JoinByInvite,
) -> None:  # fmt: skip
    old = await invite_code("dr-wang")
    clock.advance(timedelta(days=1))
    doctor = await join_by_invite("dr-wang")
    assert "欢迎您，王建国" in doctor.last_text()

    someone = person(first_name="某人")
    await someone.say(f"/start {old}")  # still within its week
    assert "无效或已过期" in someone.last_text()
    assert await _role(db, doctor) == (Role.STAFF, "dr-wang")
    assert await _role(db, someone) == (Role.RESIDENT, None)
    await doctor.say("/menu")
    assert _menu(doctor) == STAFF_MENU


async def test_a_held_post_is_refused_kindly_until_the_admin_removes_the_old_account(
    person: Callable[..., LocalChat], db: Database, clock: FrozenClock,
    join_by_invite: JoinByInvite,
) -> None:  # fmt: skip
    doctor = await join_by_invite("dr-wang")
    code = await _old_open_invite(db, clock, "dr-wang", "doc_made-before-the-fix")

    new_phone = person(first_name="建国", last_name="王")
    await new_phone.say(f"/start {code}")
    assert "这个岗位已经有一个账号在用了" in new_phone.last_text()
    assert "联系中心管理员" in new_phone.last_text()
    assert await _role(db, doctor) == (Role.STAFF, "dr-wang")

    async with db.sessionmaker() as session:
        removal = await remove_staff(session, "dr-wang", clock)
        await session.commit()
    assert removal.open_invites == 1
    # The refused code was not used up: after the admin removed the old account, it works.
    await new_phone.say(f"/start {code}")
    assert "欢迎您，王建国" in new_phone.last_text()
    assert await _role(db, new_phone) == (Role.STAFF, "dr-wang")
    assert await _role(db, doctor) == (Role.RESIDENT, None)


async def test_removed_staff_lose_access_and_team_notices_at_once(
    household_request: Household, db: Database, clock: FrozenClock, centre: CentreConfig,
    deliver: Deliver,
) -> None:  # fmt: skip
    [doctor, nurse], _ = await household_request("dr-wang", "nurse-li")
    await doctor.press("查看申请")
    assert [b.text for b in doctor.buttons()][:2] == ["✅ 同意", "❌ 不同意"]

    async with db.sessionmaker() as session:
        await remove_staff(session, "dr-wang", clock)
        await session.commit()

    # The buttons still on the old screen are refused by the server.
    await doctor.press("✅ 同意")
    assert "已同意签约" not in recent(doctor)
    async with db.sessionmaker() as session:
        contract = await session.scalar(select(Contract))
        assert contract is not None and contract.state is ContractState.REQUESTED
    # His next message is a resident's: no queue, an invitation to register instead.
    await doctor.say("📋 待办")
    assert "签约申请" not in doctor.last_text() and "先花一分钟登记" in doctor.last_text()
    await deliver()
    assert "您的工作账号已停用" in doctor.last_text()

    clock.advance(timedelta(hours=centre.contract.approval_escalate_after_hours))
    await deliver()
    assert "催办" in nurse.last_text()
    assert not any("催办" in (s.text or "") for s in doctor.screen())


def _config_without_dr_wang(tmp_path: Path) -> Path:
    """config.yml after Dr Wang left: Dr Liu is team A's GP now."""
    raw = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    gp = raw["teams"][0]["members"][0]
    assert gp["id"] == "dr-wang"
    gp.update(id="dr-liu", name="刘洋")
    duty = raw["delivery"]["duty"]["staff"]
    duty[duty.index("dr-wang")] = "dr-liu"
    path = tmp_path / "config-after.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


async def test_a_gp_removed_from_config_loses_the_doctor_menu_and_team_notices(
    household_request: Household, db: Database, clock: FrozenClock, centre: CentreConfig,
    bot: Bot, api: LocalBotApi, tmp_path: Path,
) -> None:  # fmt: skip
    [doctor, nurse], _ = await household_request("dr-wang", "nurse-li")
    # The operator edits config.yml and restarts the bot: the centre is synced again.
    config = _config_without_dr_wang(tmp_path)
    after = settings_from_mapping(
        {"CONFIG_PATH": str(config), "DATABASE_URL": db.url, "THROTTLE_RATE": "1000/second"}
    )
    async with db.sessionmaker() as session:
        await sync_centre(session, after.centre, clock)
        await session.commit()
    tally = ErrorTally()
    dp = build_dispatcher(after, db, clock, errors=tally)
    try:
        former = LocalChat(dp, bot, api, telegram_id=doctor.person.id, first_name="建国",
                           last_name="王")  # fmt: skip
        await former.say("📋 待办")
        assert "签约申请" not in former.last_text() and "先花一分钟登记" in former.last_text()
        await former.say("/menu")
        assert "请选择要办的事" not in former.last_text()

        # The request's escalation, planned before the change, reaches the team but not him.
        clock.advance(timedelta(hours=centre.contract.approval_escalate_after_hours))
        await Deliverer(bot, db.sessionmaker, clock, after.centre, make_i18n("zh_CN")).sweep()
        assert "催办" in nurse.last_text()
        assert not any("催办" in (s.text or "") for s in former.screen())
    finally:
        await dp.storage.close()
    assert tally.count == 0, tally.kinds


async def test_an_escalation_reaches_an_admin_who_joined_by_invite(
    person: Callable[..., LocalChat], db: Database, clock: FrozenClock, centre: CentreConfig,
    household_request: Household, deliver: Deliver,
) -> None:  # fmt: skip
    async with db.sessionmaker() as session:
        invite = await create_admin_invite(session, label="李主任", clock=clock, centre=centre)
        await session.commit()
    admin = person(first_name="主任", last_name="李")
    await admin.say(f"/start {invite.code}")
    assert "您现在是" in admin.last_text() and "管理员" in admin.last_text()
    assert await _role(db, admin) == (Role.ADMIN, None)
    assert _menu(admin) == ["⚙️ 设置"]  # no team queue of their own
    await admin.say("/help")
    assert "您是中心管理员" in admin.last_text()
    await admin.press("⚙️ 设置")
    assert "语言" in " ".join(b.text for b in admin.buttons())

    await household_request("dr-wang")
    clock.advance(timedelta(hours=centre.contract.approval_escalate_after_hours - 1))
    await deliver()
    assert "⏰ 催办" not in admin.last_text()
    clock.advance(timedelta(hours=1))
    await deliver()
    assert "⏰ 催办：张秀兰 的签约申请已等了 72 小时，还没有处理。" in admin.last_text()


async def test_the_whole_team_sees_the_teams_open_questions_in_todo(
    onboarded: LocalChat, join_by_invite: JoinByInvite, db: Database, clock: FrozenClock,
    centre: CentreConfig,
) -> None:  # fmt: skip
    team = [await join_by_invite(s) for s in ("dr-wang", "nurse-li", "ph-zhao")]
    other_team = await join_by_invite("nurse-zhou")
    resident = onboarded  # lives in team A's community
    async with db.sessionmaker() as session:
        user = await find_user(session, resident.person.id)
        assert user is not None
        question = await UnderstandingService(session, clock, centre).send_to_doctor(
            user, "我最近头晕"
        )
        assert question is not None and question.staff_id == "dr-wang"

    for member in team:
        await member.press("📋 待办")
        assert "居民提问：1 个" in member.last_text()
    await other_team.press("📋 待办")
    assert "居民提问：0 个" in other_team.last_text()


async def test_an_admin_invite_cannot_turn_a_doctor_into_an_admin(
    join_by_invite: JoinByInvite, db: Database, clock: FrozenClock, centre: CentreConfig
) -> None:
    doctor = await join_by_invite("dr-wang")
    async with db.sessionmaker() as session:
        invite = await create_admin_invite(session, label=None, clock=clock, centre=centre)
        await session.commit()
    await doctor.say(f"/start {invite.code}")
    assert "已经有别的工作身份" in doctor.last_text()
    assert await _role(db, doctor) == (Role.STAFF, "dr-wang")
    async with db.sessionmaker() as session:
        admins = await session.scalars(select(User).where(User.role == Role.ADMIN))
        assert admins.all() == []


async def _trial_doctor(db: Database, capsys: pytest.CaptureFixture[str]) -> str:
    """`familydoc chat --as doctor` on this database: one press of 📋 待办, then /quit."""
    config = str(ROOT / "config.yml")
    settings = settings_from_mapping(
        {"CONFIG_PATH": config, "DATABASE_URL": db.url, "NLU_AUTOSTART": "false"}
    )
    await run_terminal_chat(settings, as_doctor=True, stdin=io.StringIO("1\n/quit\n"))
    return capsys.readouterr().out


async def test_the_trial_doctor_joins_the_first_gp_post_nobody_holds(
    join_by_invite: JoinByInvite, db: Database, clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    shown = await _trial_doctor(db, capsys)
    assert "欢迎您，王建国！您已加入全科一团队。" in shown and "居民提问：0 个" in shown
    assert "请选择要办的事" in await _trial_doctor(db, capsys)  # joined already: the menu

    # On a database where Dr Wang's post is someone else's, the trial takes the next GP's.
    async with db.sessionmaker() as session:
        await remove_staff(session, "dr-wang", clock)
        await session.commit()
    wang = await join_by_invite("dr-wang")
    assert "欢迎您，陈静！您已加入全科二团队。" in await _trial_doctor(db, capsys)
    assert await _role(db, wang) == (Role.STAFF, "dr-wang")
