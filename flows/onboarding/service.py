"""Onboarding rules: consent first, then the profile, priority tags derived from it, and
staff joining with a one-time invite. No aiogram here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from flows.admin.service import invite_hash
from flows.centre import CentreConfig, PriorityRules, StaffRole
from flows.clock import Clock
from storage.audit import record_audit
from storage.consents import has_consent, lock_consents, record_consent
from storage.invites import ClaimedInvite, claim_invite
from storage.models import (
    ConsentKind,
    Household,
    Pregnancy,
    Relation,
    Resident,
    ResidentCondition,
    ResidentTag,
    Role,
    Sex,
    Staff,
    TagSource,
    User,
)
from storage.models.centre import InviteKind
from storage.users import make_admin, take_staff_post

OLDEST_BIRTH_YEAR = 1900
NAME_MAX = 30
ADDRESS_MAX = 120
STAFF_ROLES = {
    StaffRole.GP: Role.DOCTOR,
    StaffRole.NURSE: Role.NURSE,
    StaffRole.PUBLIC_HEALTH: Role.PUBLIC_HEALTH,
    StaffRole.ASSISTANT: Role.ASSISTANT,
}


class InviteInvalid(Exception):
    """The code is unknown, used, revoked or expired (deliberately not saying which)."""


class InviteRefused(Exception):
    """A valid code this account cannot use now; the invite stays unused."""

    def __init__(self, staff_id: str | None) -> None:
        super().__init__(staff_id)
        self.staff_id = staff_id


class StaffPostHeld(InviteRefused):
    """Another account holds the post: the admin removes it first (`remove-staff`)."""


class AccountHasOtherRole(InviteRefused):
    """This account already holds another staff post or is an admin: one role per account."""


@dataclass(frozen=True)
class Joined:
    staff: Staff | None  # None: joined as one of the centre's admins


class ProfileIncomplete(ValueError):
    pass


@dataclass
class ProfileDraft:
    """What onboarding has collected so far; kept in the conversation state between steps."""

    name: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    community_id: str | None = None
    address: str | None = None
    health_consent: bool = False
    conditions: list[str] = field(default_factory=list)
    pregnancy: Pregnancy | None = None
    disability: bool | None = None

    def to_state(self) -> dict[str, object]:
        return {
            "name": self.name,
            "phone": self.phone,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex.value if self.sex else None,
            "community_id": self.community_id,
            "address": self.address,
            "health_consent": self.health_consent,
            "conditions": list(self.conditions),
            "pregnancy": self.pregnancy.value if self.pregnancy else None,
            "disability": self.disability,
        }

    @classmethod
    def from_state(cls, data: dict[str, object]) -> ProfileDraft:
        birth = data.get("birth_date")
        sex = data.get("sex")
        pregnancy = data.get("pregnancy")
        conditions = data.get("conditions")
        disability = data.get("disability")
        return cls(
            name=_opt_str(data.get("name")),
            phone=_opt_str(data.get("phone")),
            birth_date=date.fromisoformat(birth) if isinstance(birth, str) else None,
            sex=Sex(sex) if isinstance(sex, str) else None,
            community_id=_opt_str(data.get("community_id")),
            address=_opt_str(data.get("address")),
            health_consent=data.get("health_consent") is True,
            conditions=[c for c in conditions if isinstance(c, str)]
            if isinstance(conditions, list)
            else [],
            pregnancy=Pregnancy(pregnancy) if isinstance(pregnancy, str) else None,
            disability=disability if isinstance(disability, bool) else None,
        )


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


# ---- checking what people type -------------------------------------------------------------


# What Telegram turns into a link or a command in a message: @mentions, /commands, URLs with
# a scheme, t.me / www. addresses, and domains (a dot, ASCII or the CJK full stops Telegram
# also reads as dots, between letters and a top-level domain). A name never needs them.
_DOTS = ".。．｡"
_LINK_IN_NAME = re.compile(
    r"[@＠/／]"
    r"|[a-z][a-z0-9+.-]*://|\b(tg|mailto|tel)\s*:"  # http://, tg:resolve, mailto: ...
    rf"|[a-z0-9-][{_DOTS}][a-z][a-z0-9-]+"  # evil.com, t.me (and J.Smith: asked again)
    rf"|[{_DOTS}](中国|中國|公司|网络|網絡|香港|台湾|台灣|在线|网址|商城|集团|手机)",
    re.IGNORECASE,
)
# Rendering a stored name to staff: the characters that make a link, swapped for look-alikes
# Telegram does not read as one (fullwidth @ and /, the middle dot used in names, a fullwidth
# colon). A dot followed by a space ("J. Smith") is left as it is.
_UNLINK = str.maketrans({"@": "＠", "/": "／", ":": "："})
_DOT_BEFORE_TEXT = re.compile(rf"[{_DOTS}](?=\S)")


def clean_name(text: str) -> str | None:
    """A person's name as typed: trimmed, no control characters, 1–30 characters, and
    nothing Telegram would turn into a link (a URL, a domain, an @mention, a /command)."""
    name = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    name = re.sub(r"\s+", " ", name)
    if not name or len(name) > NAME_MAX or not any(ch.isalpha() for ch in name):
        return None
    if name_has_link(name):
        return None
    return name


def name_has_link(text: str) -> bool:
    """Why clean_name refused: the text holds a URL, a domain, an @mention or a /command."""
    return _LINK_IN_NAME.search(text) is not None


def unlinkable(name: str) -> str:
    """A stored name as it may be shown to staff: whatever it holds (names stored before
    clean_name refused links included), Telegram will not make a link or a command of it."""
    return _DOT_BEFORE_TEXT.sub("·", name.translate(_UNLINK))


def clean_address(text: str) -> str | None:
    address = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return address[:ADDRESS_MAX] if address else None


def normalise_phone(text: str) -> str | None:
    """A Chinese (or international) phone number in E.164 form, or None."""
    digits = text.strip().replace(" ", "").replace("-", "")
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+8613800138000 → 138 0013 8000: how people write their own number."""
    try:
        number = phonenumbers.parse(e164, "CN")
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


_DATE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")


def parse_birth_date(text: str, today: date) -> date | None:
    """A typed birth date such as 1950-03-05, 1950/3/5 or 1950年3月5日."""
    match = _DATE.match(text)
    if not match:
        return None
    try:
        born = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return born if plausible_birth_date(born, today) else None


def plausible_birth_date(born: date, today: date) -> bool:
    return born.year >= OLDEST_BIRTH_YEAR and born <= today


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def may_be_pregnant(sex: Sex | None, born: date | None, today: date) -> bool:
    """Only ask about pregnancy when it can apply (women of child-bearing age)."""
    return sex is Sex.FEMALE and born is not None and 14 <= age_on(born, today) <= 55


def priority_tags(draft: ProfileDraft, today: date, rules: PriorityRules) -> list[str]:
    """Priority-population tags (重点人群) that follow from the profile."""
    tags: list[str] = []
    if draft.birth_date is not None:
        age = age_on(draft.birth_date, today)
        if age >= rules.elderly_min_age:
            tags.append("elderly")
        if age <= rules.child_max_age:
            tags.append("child")
    if draft.health_consent:
        if draft.pregnancy in (Pregnancy.PREGNANT, Pregnancy.POSTPARTUM):
            tags.append("maternal")
        if draft.disability:
            tags.append("disability")
        tags.extend(c for c in draft.conditions if c in rules.conditions)
    return tags


def is_health_tag(tag: str, rules: PriorityRules) -> bool:
    """A derived tag that tells something about health (not age): it goes with the consent."""
    return tag in ("maternal", "disability") or tag in rules.conditions


def erase_health_facts(resident: Resident, rules: PriorityRules) -> None:
    """Conditions, pregnancy, disability and the tags derived from them. Tags a doctor added
    stay: they are the doctor's record, not something told under the consent."""
    conditions = {c.code for c in resident.conditions}
    resident.conditions.clear()
    resident.pregnancy, resident.disability = None, None
    for tag in [t for t in resident.tags if t.source is TagSource.DERIVED]:
        if is_health_tag(tag.tag, rules) or tag.tag in conditions:
            resident.tags.remove(tag)


@dataclass(frozen=True)
class SavedProfile:
    resident: Resident
    tags: list[str]  # the priority tags now on the profile
    health_left_out: bool  # health questions were answered, but the consent no longer stands


Row = TypeVar("Row")


def _sync_rows(
    rows: list[Row], wanted: list[str], *, key: Callable[[Row], str], make: Callable[[str], Row]
) -> None:
    """Makes a child collection hold exactly `wanted` keys, changing only what differs (a
    wholesale replacement would insert before it deletes and break the unique constraint)."""
    for row in [r for r in rows if key(r) not in wanted]:
        rows.remove(row)
    present = {key(r) for r in rows}
    rows.extend(make(k) for k in dict.fromkeys(wanted) if k not in present)


# ---- the service ----------------------------------------------------------------------------


class OnboardingService:
    def __init__(self, session: AsyncSession, clock: Clock, centre: CentreConfig) -> None:
        self._session, self._clock, self._centre = session, clock, centre

    def today(self) -> date:
        return self._clock.now().astimezone(self._centre.zone).date()

    async def record_consent(self, user: User, kind: ConsentKind, *, granted: bool) -> None:
        privacy = self._centre.privacy
        version = (
            privacy.notice_version
            if kind is ConsentKind.PRIVACY_NOTICE
            else privacy.health_consent_version
        )
        record_consent(
            self._session,
            user_id=user.id,
            kind=kind,
            version=version,
            granted=granted,
            now=self._clock.now(),
        )
        await self._session.commit()

    async def draft_from_profile(self, user: User) -> ProfileDraft:
        """The saved profile as a draft, to show it or to edit it step by step."""
        resident = user.resident
        consent = await has_consent(self._session, user.id, ConsentKind.HEALTH_DATA)
        if resident is None:
            return ProfileDraft(health_consent=consent)
        return ProfileDraft(
            name=resident.name,
            phone=resident.phone,
            birth_date=resident.birth_date,
            sex=resident.sex,
            community_id=resident.household.community_id,
            address=resident.household.address,
            health_consent=consent,
            conditions=[c.code for c in resident.conditions] if consent else [],
            pregnancy=resident.pregnancy if consent else None,
            disability=resident.disability if consent else None,
        )

    async def complete_profile(self, user: User, draft: ProfileDraft) -> Resident:
        """Saves the resident, their household and tags; marks onboarding done."""
        return (await self.save_profile(user, draft)).resident

    async def save_profile(self, user: User, draft: ProfileDraft) -> SavedProfile:
        """Saves the resident, their household and tags; marks onboarding done. Health facts
        are written only while the health-data consent stands in the database, read in this
        transaction under the consent lock (the draft's flag may be older than a withdrawal
        made meanwhile in ⚙️ 设置); without it they are left out and none are kept."""
        if not (draft.name and draft.birth_date and draft.sex and draft.community_id):
            raise ProfileIncomplete("name, birth date, sex and community are needed")
        if self._centre.community(draft.community_id) is None:
            raise ProfileIncomplete("unknown community")
        if not draft.health_consent and (draft.conditions or draft.pregnancy or draft.disability):
            raise ProfileIncomplete("health data without health-data consent")
        await lock_consents(self._session, user.id)
        consent = await has_consent(self._session, user.id, ConsentKind.HEALTH_DATA)
        health_left_out = draft.health_consent and not consent
        if health_left_out:
            draft = replace(
                draft, health_consent=False, conditions=[], pregnancy=None, disability=None
            )
        now = self._clock.now()
        resident = user.resident
        if resident is None:
            household = Household(
                community_id=draft.community_id, address=draft.address, created_at=now
            )
            resident = Resident(
                user_id=user.id,
                household=household,
                relation=Relation.SELF,
                created_by_user_id=user.id,
                created_at=now,
            )
            self._session.add(resident)
        else:
            resident.household.community_id = draft.community_id
            resident.household.address = draft.address
        resident.name, resident.phone = draft.name, draft.phone
        resident.birth_date, resident.sex, resident.updated_at = draft.birth_date, draft.sex, now
        if not consent:
            erase_health_facts(resident, self._centre.priority)
        elif draft.health_consent:
            resident.pregnancy = draft.pregnancy or Pregnancy.NONE
            resident.disability = bool(draft.disability)
            chosen = [c for c in draft.conditions if self._centre.condition(c) is not None]
            _sync_rows(
                resident.conditions,
                chosen,
                key=lambda row: row.code,
                make=lambda code: ResidentCondition(code=code, recorded_at=now),
            )
        # Derived tags follow the profile; tags a doctor added stay whatever the profile says.
        doctor_tags = [t.tag for t in resident.tags if t.source is TagSource.DOCTOR]
        derived = priority_tags(draft, self.today(), self._centre.priority)
        _sync_rows(
            resident.tags,
            doctor_tags + [t for t in derived if t not in doctor_tags],
            key=lambda row: row.tag,
            make=lambda tag: ResidentTag(tag=tag, source=TagSource.DERIVED, added_at=now),
        )
        user.onboarded_at = user.onboarded_at or now
        record_audit(
            self._session,
            at=now,
            actor_user_id=user.id,
            action="profile_saved",
            subject_type="resident",
            subject_id=None,
        )
        await self._session.commit()
        return SavedProfile(resident, [t.tag for t in resident.tags], health_left_out)

    async def redeem_invite(self, user: User, code: str) -> Joined:
        """Links this Telegram account to a staff post (or makes it an admin). One use, before
        it expires, not revoked; a post another account holds is never handed over. The claim
        is one conditional update, so of two people redeeming one code only one wins."""
        now = self._clock.now()
        try:
            async with self._session.begin_nested():  # a refusal leaves the invite unused
                invite = await claim_invite(
                    self._session, code_hash=invite_hash(code), user_id=user.id, now=now
                )
                if invite is None:
                    raise InviteInvalid
                staff = await self._join(user, invite)
        except InviteRefused as refused:
            record_audit(self._session, at=now, actor_user_id=user.id, action="invite_refused",
                         subject_type="staff", subject_id=refused.staff_id,
                         reason=type(refused).__name__)  # fmt: skip
            await self._session.commit()
            raise
        await self._session.refresh(user, ["role", "staff_id"])
        record_audit(self._session, at=now, actor_user_id=user.id, action="invite_redeemed",
                     subject_type="staff" if staff else "admin",
                     subject_id=staff.id if staff else None)  # fmt: skip
        await self._session.commit()
        return Joined(staff)

    async def _join(self, user: User, invite: ClaimedInvite) -> Staff | None:
        if invite.kind is InviteKind.ADMIN:
            if not await make_admin(self._session, user.id):
                raise AccountHasOtherRole(None)
            return None
        assert invite.staff_id is not None
        staff = await self._session.get(Staff, invite.staff_id, options=[selectinload(Staff.team)])
        if staff is None or not staff.active:
            raise InviteInvalid
        if user.role is Role.ADMIN or user.staff_id not in (None, staff.id):
            raise AccountHasOtherRole(staff.id)
        role = STAFF_ROLES[StaffRole(staff.role)]
        if not await take_staff_post(self._session, user_id=user.id, staff_id=staff.id, role=role):
            raise StaffPostHeld(staff.id)
        return staff
