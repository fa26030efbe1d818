"""SettingsService (flows/settings/service.py): the language is kept; health-data consent is
given and withdrawn, and a withdrawal erases what was told under it (the person's conditions,
pregnancy, disability and the tags derived from them; a family member's too) but nothing else.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from flows.settings.service import SettingsService
from flows.signing.service import FamilyMemberDraft
from storage.consents import latest_consent
from storage.models import (
    AuditEntry,
    Consent,
    ConsentKind,
    Pregnancy,
    Relation,
    Resident,
    ResidentTag,
    Sex,
    TagSource,
)
from storage.users import find_user
from tests.signing.conftest import Account, Centre


async def _withdraw(world: Centre, account: Account) -> None:
    async with world.session_for(account) as (session, user):
        await SettingsService(session, world.clock, world.config).withdraw_health_consent(user)


async def _profile(world: Centre, account: Account) -> tuple[object, ...]:
    """Her conditions, pregnancy, disability and tags (with where each tag came from)."""
    async with world.db.sessionmaker() as session:
        user = await find_user(session, account.telegram_id)
        assert user is not None and user.resident is not None
        resident = user.resident
        return (
            sorted(c.code for c in resident.conditions),
            resident.pregnancy,
            resident.disability,
            sorted((t.tag, t.source) for t in resident.tags),
        )


async def test_the_language_is_kept(any_world: Centre) -> None:
    account = await any_world.resident()
    async with any_world.session_for(account) as (session, user):
        await SettingsService(session, any_world.clock, any_world.config).set_language(user, "en")
    async with any_world.session_for(account) as (_, user):
        assert user.language == "en"


async def test_consent_is_given_with_the_current_text_version(any_world: Centre) -> None:
    account = await any_world.resident(health_consent=False)
    async with any_world.session_for(account) as (session, user):
        settings = SettingsService(session, any_world.clock, any_world.config)
        assert await settings.health_consent_given(user) is False
        await settings.grant_health_consent(user)
    async with any_world.session_for(account) as (session, user):
        settings = SettingsService(session, any_world.clock, any_world.config)
        assert await settings.health_consent_given(user) is True
        consent = await latest_consent(session, user.id, ConsentKind.HEALTH_DATA)
        assert consent is not None
        assert consent.text_version == any_world.config.privacy.health_consent_version
        assert consent.decided_at == any_world.clock.now()


async def test_withdrawal_erases_health_facts_and_keeps_the_rest(any_world: Centre) -> None:
    account = await any_world.resident(born=date(1948, 3, 5),
                                       conditions=("hypertension", "coronary"))  # fmt: skip
    async with any_world.session_for(account) as (session, user):
        assert user.resident is not None
        user.resident.disability = True
        user.resident.tags.append(ResidentTag(tag="mental", source=TagSource.DOCTOR,
                                              added_at=any_world.clock.now()))  # fmt: skip
        await session.commit()
    derived, doctor = TagSource.DERIVED, TagSource.DOCTOR
    assert await _profile(any_world, account) == (
        ["coronary", "hypertension"], Pregnancy.NONE, True,
        [("elderly", derived), ("hypertension", derived), ("mental", doctor)],
    )  # fmt: skip
    any_world.clock.advance(timedelta(days=3))

    await _withdraw(any_world, account)
    # Age stays a priority; a doctor's own record stays; what she told under the consent goes.
    assert await _profile(any_world, account) == (
        [],
        None,
        None,
        [("elderly", derived), ("mental", doctor)],
    )
    async with any_world.session_for(account) as (session, user):
        assert not await SettingsService(
            session, any_world.clock, any_world.config
        ).health_consent_given(user)
        consent = await latest_consent(session, user.id, ConsentKind.HEALTH_DATA)
        assert consent is not None and consent.granted  # the decision is kept, revoked
        assert consent.revoked_at == any_world.clock.now()
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "consent_withdrawn")
        )
        assert audit is not None and audit.actor_user_id == user.id
        assert audit.detail == {"members": 0}
        assert user.resident is not None and user.resident.name == "张秀兰"


async def test_withdrawal_revokes_the_consents_given_for_family_members(
    any_world: Centre,
) -> None:
    account = await any_world.resident()
    async with any_world.update(account) as (signing, user):
        agreed = await signing.agree_member_health(user)
        daughter = await signing.add_family_member(user, FamilyMemberDraft(
            relation=Relation.DAUGHTER, name="李小红", birth_date=date(1995, 7, 12),
            sex=Sex.FEMALE, conditions=["diabetes"], pregnancy=Pregnancy.PREGNANT,
            disability=False, consent_id=agreed,
        ))  # fmt: skip
    await _withdraw(any_world, account)
    async with any_world.db.sessionmaker() as session:
        member = await session.get(Resident, daughter.id, populate_existing=True)
        assert member is not None
        assert ([c.code for c in member.conditions], member.pregnancy, member.disability) == (
            [], None, None,
        )  # fmt: skip
        assert [t.tag for t in member.tags] == []
        consent = await session.scalar(
            select(Consent).where(Consent.subject_resident_id == daughter.id)
        )
        assert consent is not None and consent.revoked_at == any_world.clock.now()
        audit = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "consent_withdrawn")
        )
        assert audit is not None and audit.detail == {"members": 1}


async def test_withdrawing_twice_or_without_a_profile_is_harmless(any_world: Centre) -> None:
    account = await any_world.resident()
    await _withdraw(any_world, account)
    first = any_world.clock.now()
    any_world.clock.advance(timedelta(days=1))
    await _withdraw(any_world, account)
    async with any_world.session_for(account) as (session, user):
        consent = await latest_consent(session, user.id, ConsentKind.HEALTH_DATA)
        assert consent is not None and consent.revoked_at == first  # not moved by the second

    bare = await any_world.account()  # opened the bot, never registered
    await _withdraw(any_world, bare)
    async with any_world.session_for(bare) as (session, user):
        assert user.resident is None
        assert await latest_consent(session, user.id, ConsentKind.HEALTH_DATA) is None
