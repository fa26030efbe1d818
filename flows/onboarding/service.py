"""Onboarding rules: consent first, then the profile, priority tags derived from it, and
staff joining with a one-time invite. No aiogram here. The rules about a person themselves
(names, phones, ages, tags) live in flows.person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from flows.admin.service import invite_hash
from flows.centre import CentreConfig
from flows.clock import Clock
from flows.person import ProfileDraft, erase_health_facts, priority_tags
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
    Staff,
    TagSource,
    User,
)
from storage.models.centre import InviteKind
from storage.users import make_admin, take_staff_post


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
        # Read before the commit: a new resident's collection left empty is not loaded after
        # it, and would be lazy-loaded outside the async context (a resident with no tags).
        tags = [t.tag for t in resident.tags]
        await self._session.commit()
        return SavedProfile(resident, tags, health_left_out)

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
        if not await take_staff_post(self._session, user_id=user.id, staff_id=staff.id):
            raise StaffPostHeld(staff.id)
        return staff
