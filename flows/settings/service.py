"""Settings rules: language, and giving or withdrawing health-data consent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.clock import Clock
from flows.person import erase_health_facts
from storage.audit import record_audit
from storage.consents import (
    has_consent,
    latest_consent,
    lock_consents,
    member_consents_in_force,
    members_recorded_by,
    record_consent,
)
from storage.models import ConsentKind, Resident, User


class SettingsService:
    def __init__(self, session: AsyncSession, clock: Clock, centre: CentreConfig) -> None:
        self._session, self._clock, self._centre = session, clock, centre

    async def set_language(self, user: User, language: str) -> None:
        user.language = language
        await self._session.commit()

    async def health_consent_given(self, user: User) -> bool:
        return await has_consent(self._session, user.id, ConsentKind.HEALTH_DATA)

    async def grant_health_consent(self, user: User) -> None:
        record_consent(
            self._session,
            user_id=user.id,
            kind=ConsentKind.HEALTH_DATA,
            granted=True,
            version=self._centre.privacy.health_consent_version,
            now=self._clock.now(),
        )
        await self._session.commit()

    async def withdraw_health_consent(self, user: User) -> None:
        """Withdrawal stops collection and erases every health fact recorded under the
        consent: the person's own, and those of the family members they recorded (whose
        consents, given by this person for them, are revoked too). Under the consent lock, so
        a profile edit or a family form saving at the same moment either finishes first (and
        is erased here) or finds the consent gone."""
        now = self._clock.now()
        await lock_consents(self._session, user.id)
        consent = await latest_consent(self._session, user.id, ConsentKind.HEALTH_DATA)
        if consent is not None and consent.granted and consent.revoked_at is None:
            consent.revoked_at = now
        members = await member_consents_in_force(self._session, user.id)
        for member_consent in members:
            member_consent.revoked_at = now
        subjects = [c.subject_resident_id for c in members if c.subject_resident_id is not None]
        rules = self._centre.priority
        for member in await members_recorded_by(self._session, user.id, also=subjects):
            erase_health_facts(member, rules)
        resident: Resident | None = user.resident
        if resident is not None:
            erase_health_facts(resident, rules)
        record_audit(
            self._session,
            at=now,
            actor_user_id=user.id,
            action="consent_withdrawn",
            subject_type="consent",
            subject_id=ConsentKind.HEALTH_DATA.value,
            members=len(members),
        )
        await self._session.commit()
