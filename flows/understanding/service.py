"""Rules for free text: who hears about a red flag, and where a question for the doctor goes.
No aiogram here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.catalogue import N_
from flows.centre import CentreConfig, StaffRole
from flows.clock import Clock
from nlu.triage import TriageResult
from storage.audit import record_audit
from storage.consents import has_consent
from storage.models import (
    Community,
    ConsentKind,
    Contract,
    ContractMember,
    ContractState,
    Priority,
    Question,
    QuestionState,
    Staff,
    User,
)
from storage.outbox import schedule_message


@dataclass(frozen=True)
class CareTeamMember:
    user_id: int
    telegram_id: int
    language: str | None


class UnderstandingService:
    def __init__(self, session: AsyncSession, clock: Clock, centre: CentreConfig) -> None:
        self._session, self._clock, self._centre = session, clock, centre

    async def care_team(self, user: User) -> list[CareTeamMember]:
        """Staff with a bot account who look after this resident: the contracted doctor's team
        when there is an active contract, else the team serving their community."""
        team_id = await self._team_of(user)
        if team_id is None:
            return []
        rows = await self._session.execute(
            select(User.id, User.telegram_id, User.language)
            .join(Staff, Staff.id == User.staff_id)
            .where(Staff.team_id == team_id, Staff.active, User.blocked_bot_at.is_(None))
            .order_by(Staff.role != StaffRole.GP.value, Staff.id)  # the GP first
        )
        return [CareTeamMember(*row) for row in rows]

    async def _team_of(self, user: User) -> str | None:
        resident = user.resident
        if resident is None:
            return None
        contracted = await self._session.scalar(
            select(Staff.team_id)
            .join(Contract, Contract.staff_id == Staff.id)
            .join(ContractMember, ContractMember.contract_id == Contract.id)
            .where(ContractMember.resident_id == resident.id,
                   Contract.state == ContractState.ACTIVE)
            .limit(1)
        )  # fmt: skip
        if contracted is not None:
            return contracted
        community_id = resident.household.community_id
        if community_id is None:
            return None
        return await self._session.scalar(
            select(Community.team_id).where(Community.id == community_id)
        )

    async def record_red_flag(self, user: User, result: TriageResult) -> None:
        """Audit trail of an emergency message: never the words, and which kind of emergency
        (categories are health data) only once the person has agreed to us keeping health data.
        (The care team's alert does quote the words: someone's life may hang on them.)"""
        detail: dict[str, str] = {}
        if await has_consent(self._session, user.id, ConsentKind.HEALTH_DATA):
            detail["categories"] = ",".join(result.categories)
        record_audit(self._session, at=self._clock.now(), actor_user_id=user.id,
                     action="red_flag", subject_type="user", subject_id=user.id,
                     **detail)  # fmt: skip
        await self._session.commit()

    async def retry_alert_later(
        self, member: CareTeamMember, values: dict[str, str], *, alert: str
    ) -> None:
        """An alert that could not be sent at once goes to the outbox, top priority. `alert`
        names the emergency, the same for every member, so if it fails over to others
        (flows/alerts.py) each of them hears it once."""
        now = self._clock.now()
        await schedule_message(
            self._session, kind="red_flag_alert", recipient_user_id=member.user_id,
            due_at=now, now=now, priority=Priority.RED_FLAG,
            payload={"text": RED_FLAG_ALERT, "values": values, "alert": alert},
        )  # fmt: skip
        await self._session.commit()

    async def send_to_doctor(self, user: User, text: str) -> Question | None:
        """Puts the resident's words in their care team's question queue."""
        resident = user.resident
        team = await self.care_team(user)
        if resident is None:
            return None
        now = self._clock.now()
        gp = await self._session.scalar(
            select(Staff.id).join(User, User.staff_id == Staff.id)
            .where(User.id == team[0].user_id)
        ) if team else None  # fmt: skip
        question = Question(
            resident_id=resident.id, asked_by_user_id=user.id, staff_id=gp, text=text[:4000],
            state=QuestionState.OPEN, priority=Priority.NORMAL, created_at=now,
            reply_due_at=now + timedelta(hours=self._centre.reply_targets.question_hours),
        )  # fmt: skip
        self._session.add(question)
        record_audit(self._session, at=now, actor_user_id=user.id, action="question_sent",
                     subject_type="question", subject_id=None)  # fmt: skip
        await self._session.commit()
        return question


# The alert staff get; a msgid, translated for each recipient.
RED_FLAG_ALERT = N_(
    "🚨 紧急：居民 {name}（{phone}）刚发来的消息可能是急症：{reasons}。\n"
    "原话：「{words}」\n"
    "已请居民马上拨打 {number}，请您尽快联系。"
)
