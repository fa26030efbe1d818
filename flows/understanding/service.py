"""Rules for free text: what a reading of the words leads to, who hears about a red flag, and
where a question for the doctor goes. No aiogram here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flows.catalogue import N_
from flows.centre import CentreConfig
from flows.clock import Clock
from flows.person import display_phone, unlinkable
from flows.understanding.red_flags import quoted
from nlu.client import Understanding
from nlu.intents import Intent, intent_of
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
    StaffRole,
    User,
)
from storage.outbox import schedule_message

CONFIDENT = 0.6  # below this, ask one clarifying question instead of guessing
CLARIFY_FLOOR = 0.15  # intents below this are not offered as choices
CHOICES = 3  # at most this many in a clarifying question


class Next(StrEnum):
    """Where a recognised wish leads."""

    EMERGENCY = "emergency"  # the same answer as a red flag triage caught
    GREETING = "greeting"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    HELP = "help"
    LANGUAGE = "language"
    ASK_DOCTOR = "ask_doctor"  # offer to send the words to the care team
    SIGNING = "signing"  # the signing slice answers for itself
    COMING_SOON = "coming_soon"  # a feature not built yet: say so, kindly, with the phone
    NOT_UNDERSTOOD = "not_understood"


@dataclass(frozen=True)
class Destination:
    next: Next
    feature: str | None = None  # COMING_SOON: the feature's name (catalogue id)


SIGNING_INTENTS = frozenset({
    Intent.SIGN_CONTRACT, Intent.RENEW_CONTRACT, Intent.CANCEL_CONTRACT, Intent.CHANGE_DOCTOR,
    Intent.CONTRACT_STATUS, Intent.ASK_PACKAGES, Intent.MY_DOCTOR,
})  # fmt: skip
COMING_FEATURES: dict[Intent, str] = {
    **dict.fromkeys((Intent.BOOK_APPOINTMENT, Intent.CANCEL_APPOINTMENT,
                     Intent.RESCHEDULE_APPOINTMENT, Intent.MY_APPOINTMENTS,
                     Intent.REQUEST_HOME_VISIT, Intent.REQUEST_REFERRAL), N_("预约")),
    **dict.fromkeys((Intent.MEDICATION_TAKEN, Intent.MEDICATION_SKIPPED,
                     Intent.MEDICATION_SNOOZE, Intent.SET_MEDICATION_REMINDER,
                     Intent.MY_MEDICATIONS), N_("用药提醒")),
    Intent.REPORT_MEASUREMENT: N_("记录血压血糖"),
    Intent.LINK_FAMILY: N_("家人绑定"),
    Intent.EXPORT_MY_DATA: N_("导出资料"),
    Intent.DELETE_MY_DATA: N_("删除资料"),
    Intent.FEEDBACK: N_("意见反馈"),
}  # fmt: skip
_DIRECT = {
    Intent.EMERGENCY: Next.EMERGENCY,
    Intent.GREET: Next.GREETING,
    Intent.GOODBYE: Next.GOODBYE,
    Intent.THANKS: Next.THANKS,
    Intent.HELP: Next.HELP,
    Intent.CHANGE_LANGUAGE: Next.LANGUAGE,
    Intent.ASK_DOCTOR: Next.ASK_DOCTOR,
}
# Small talk, emergencies and "not ours" are never offered as a choice: a person picks a task.
OFFERED = tuple(i for i in Intent if i in SIGNING_INTENTS or i in COMING_FEATURES
                or i in (Intent.HELP, Intent.CHANGE_LANGUAGE, Intent.ASK_DOCTOR))  # fmt: skip


def destination_of(intent: Intent) -> Destination:
    if intent in _DIRECT:
        return Destination(_DIRECT[intent])
    if intent in SIGNING_INTENTS:
        return Destination(Next.SIGNING)
    if intent in COMING_FEATURES:
        return Destination(Next.COMING_SOON, COMING_FEATURES[intent])
    return Destination(Next.NOT_UNDERSTOOD)


@dataclass(frozen=True)
class Interpretation:
    """A reading acted on (`intent`), or a clarifying question (`choices`), or neither."""

    intent: Intent | None = None
    choices: tuple[Intent, ...] = ()


def interpret(reading: Understanding | None) -> Interpretation:
    """Act on a confident reading; else offer the likeliest tasks; else nothing understood
    (NLU down, out of scope, or nothing likely enough)."""
    if reading is None or reading.intent == Intent.OUT_OF_SCOPE:
        return Interpretation()
    intent = intent_of(reading.intent)
    if intent is not None and reading.confidence >= CONFIDENT:
        return Interpretation(intent=intent)
    ranked = (intent_of(name) for name, score in reading.ranking if score >= CLARIFY_FLOOR)
    return Interpretation(choices=tuple(i for i in ranked if i in OFFERED)[:CHOICES])


@dataclass(frozen=True)
class CareTeamMember:
    user_id: int
    telegram_id: int
    language: str | None


@dataclass(frozen=True)
class RedFlagAlert:
    """Who hears of a red flag at once, and what they read (but the kinds of emergency,
    which each reads in their own language)."""

    key: str  # the same for every copy; an edit of the same message is the same alert
    recipients: list[CareTeamMember]
    values: dict[str, str]


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
            .order_by(Staff.role != StaffRole.GP, Staff.id)  # the GP first
        )
        return [CareTeamMember(*row) for row in rows]

    async def red_flag_alert(self, user: User, *, message_id: int, words: str) -> RedFlagAlert:
        """Everyone in the resident's care team (the GP first) hears at once, with the
        resident's name, phone and words: someone's life may hang on them."""
        resident = user.resident
        values = {
            "number": self._centre.centre.emergency_number,
            "name": unlinkable(resident.name) if resident else "—",
            "phone": display_phone(resident.phone) if resident and resident.phone else "—",
            "words": quoted(words),
        }
        return RedFlagAlert(f"u{user.id}m{message_id}", await self.care_team(user), values)

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
