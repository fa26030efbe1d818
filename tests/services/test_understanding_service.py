"""UnderstandingService (flows/understanding/service.py): who hears about a resident's red flag
(the contracted doctor's team, else the team serving her community; the GP first; only staff
the bot can reach), what the audit log may say about it, and where a question for the doctor
goes and by when it is due. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from flows.understanding.service import RED_FLAG_ALERT, CareTeamMember, UnderstandingService
from nlu.triage import TriageResult
from storage.models import (
    AuditEntry,
    Priority,
    Question,
    QuestionState,
    Staff,
    StaffRole,
    User,
)
from tests.signing.conftest import Account, Centre

STROKE = TriageResult(red_flag=True, categories=("stroke", "breathing"))


async def _care_team(world: Centre, account: Account) -> list[int]:
    """The care team's telegram ids, in the order the alert goes out."""
    async with world.session_for(account) as (session, user):
        team = await UnderstandingService(session, world.clock, world.config).care_team(user)
        return [member.telegram_id for member in team]


async def _staff(world: Centre, *staff_ids: str) -> dict[str, Account]:
    return {staff_id: await world.staff(staff_id) for staff_id in staff_ids}


async def _assistant_first_by_id(world: Centre) -> Account:
    """An assistant of team A whose id sorts before the GP's, with a bot account."""
    async with world.db.sessionmaker() as session:
        session.add(Staff(id="aa-ma", team_id="team-a", name="马丽", role=StaffRole.ASSISTANT,
                          max_residents=0))  # fmt: skip
        await session.commit()
    return await world.staff("aa-ma")


async def test_the_care_team_is_the_communitys_team_gp_first(any_world: Centre) -> None:
    staff = await _staff(any_world, "ph-zhao", "nurse-li", "dr-chen", "dr-wang")
    assistant = await _assistant_first_by_id(any_world)
    resident = await any_world.resident(community="xingfu-1")  # team A
    assert await _care_team(any_world, resident) == [
        staff["dr-wang"].telegram_id, assistant.telegram_id, staff["nurse-li"].telegram_id,
        staff["ph-zhao"].telegram_id,
    ]  # fmt: skip


async def test_staff_the_bot_cannot_reach_or_who_left_are_not_in_the_team(
    any_world: Centre,
) -> None:
    staff = await _staff(any_world, "dr-wang", "nurse-li", "ph-zhao")
    resident = await any_world.resident(community="xingfu-1")
    async with any_world.db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == staff["nurse-li"].user_id)
                              .values(blocked_bot_at=any_world.clock.now()))  # fmt: skip
        await session.execute(update(Staff).where(Staff.id == "ph-zhao").values(active=False))
        await session.commit()
    assert await _care_team(any_world, resident) == [staff["dr-wang"].telegram_id]


async def test_a_signed_resident_is_looked_after_by_her_doctors_team(any_world: Centre) -> None:
    staff = await _staff(any_world, "dr-wang", "dr-chen", "nurse-zhou")
    resident = await any_world.resident(community="xingfu-1")  # team A's community …
    await any_world.signed(resident, staff["dr-chen"])  # … signed with team B's doctor
    assert await _care_team(any_world, resident) == [
        staff["dr-chen"].telegram_id, staff["nurse-zhou"].telegram_id,
    ]  # fmt: skip


async def test_someone_not_registered_has_no_care_team_and_cannot_ask(any_world: Centre) -> None:
    await _staff(any_world, "dr-wang")
    newcomer = await any_world.account()
    assert await _care_team(any_world, newcomer) == []
    async with any_world.session_for(newcomer) as (session, user):
        service = UnderstandingService(session, any_world.clock, any_world.config)
        assert await service.send_to_doctor(user, "我最近头晕") is None
    async with any_world.db.sessionmaker() as session:
        assert (await session.scalars(select(Question))).all() == []


async def test_a_question_goes_to_the_teams_gp_due_within_the_reply_target(
    any_world: Centre,
) -> None:
    await _staff(any_world, "nurse-li", "dr-wang")
    await _assistant_first_by_id(any_world)
    resident = await any_world.resident(community="xingfu-2")  # team A too
    words = "我最近头晕，" + "早上起来更明显。" * 600  # longer than a question keeps
    async with any_world.session_for(resident) as (session, user):
        service = UnderstandingService(session, any_world.clock, any_world.config)
        sent = await service.send_to_doctor(user, words)
        assert sent is not None
    async with any_world.db.sessionmaker() as session:
        question = await session.scalar(select(Question))
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "question_sent"))
    assert question is not None and audit is not None
    now = any_world.clock.now()
    hours = any_world.config.reply_targets.question_hours
    assert (question.staff_id, question.state, question.priority) == (
        "dr-wang", QuestionState.OPEN, Priority.NORMAL,
    )  # fmt: skip
    assert question.resident_id == await any_world.resident_id(resident)
    assert question.text == words[:4000]
    assert (question.created_at, question.reply_due_at) == (now, now + timedelta(hours=hours))
    assert audit.actor_user_id == resident.user_id and words[:10] not in str(audit.detail)


async def test_a_question_with_no_staff_on_the_bot_waits_for_the_team_unassigned(
    any_world: Centre,
) -> None:
    resident = await any_world.resident(community="yulin-east")  # team B: nobody joined yet
    async with any_world.session_for(resident) as (session, user):
        service = UnderstandingService(session, any_world.clock, any_world.config)
        question = await service.send_to_doctor(user, "我最近头晕")
    assert question is not None and question.staff_id is None
    assert question.state is QuestionState.OPEN


async def _red_flag_audit(world: Centre, account: Account) -> dict[str, object]:
    async with world.session_for(account) as (session, user):
        await UnderstandingService(session, world.clock, world.config).record_red_flag(user, STROKE)
    async with world.db.sessionmaker() as session:
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "red_flag", AuditEntry.actor_user_id == account.user_id
            )
        )
        assert entry is not None and entry.at == world.clock.now()
        return entry.detail


async def test_the_audit_names_the_emergency_only_under_the_health_consent(
    any_world: Centre,
) -> None:
    consented = await any_world.resident()
    declined = await any_world.resident(name="李建华", health_consent=False)
    assert await _red_flag_audit(any_world, consented) == {"categories": "stroke,breathing"}
    assert await _red_flag_audit(any_world, declined) == {}


async def test_an_alert_that_could_not_be_sent_waits_in_the_outbox_first_in_line(
    any_world: Centre,
) -> None:
    staff = await _staff(any_world, "dr-wang")
    resident = await any_world.resident()
    member = CareTeamMember(user_id=staff["dr-wang"].user_id,
                            telegram_id=staff["dr-wang"].telegram_id, language="zh_CN")  # fmt: skip
    values = {"name": "张秀兰", "phone": "138 0013 8000", "reasons": "中风迹象", "words": "嘴歪了",
              "number": "120"}  # fmt: skip
    async with any_world.session_for(resident) as (session, _):
        await UnderstandingService(session, any_world.clock, any_world.config).retry_alert_later(
            member, values, alert="red-flag-1"
        )
    [message] = await any_world.messages(kind="red_flag_alert")
    assert message.recipient_user_id == staff["dr-wang"].user_id
    assert (message.priority, message.due_at) == (Priority.RED_FLAG, any_world.clock.now())
    assert message.payload == {"text": RED_FLAG_ALERT, "values": values, "alert": "red-flag-1"}
