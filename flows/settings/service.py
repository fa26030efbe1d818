"""Settings rules: language, and giving or withdrawing health-data consent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig
from flows.clock import Clock
from storage.audit import record_audit
from storage.consents import has_consent, latest_consent, record_consent
from storage.models import ConsentKind, Resident, TagSource, User

HEALTH_TAGS_FROM_PROFILE = ("maternal", "disability")


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
        """Withdrawal stops collection and erases the health facts the person told us."""
        now = self._clock.now()
        consent = await latest_consent(self._session, user.id, ConsentKind.HEALTH_DATA)
        if consent is not None and consent.granted and consent.revoked_at is None:
            consent.revoked_at = now
        resident: Resident | None = user.resident
        if resident is not None:
            health_tags = set(HEALTH_TAGS_FROM_PROFILE) | {c.code for c in resident.conditions}
            resident.conditions.clear()
            resident.pregnancy, resident.disability = None, None
            for tag in [t for t in resident.tags if t.source is TagSource.DERIVED]:
                if tag.tag in health_tags:
                    resident.tags.remove(tag)
        record_audit(
            self._session,
            at=now,
            actor_user_id=user.id,
            action="consent_withdrawn",
            subject_type="consent",
            subject_id=ConsentKind.HEALTH_DATA.value,
        )
        await self._session.commit()
