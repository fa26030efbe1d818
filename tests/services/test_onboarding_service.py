"""OnboardingService (flows/onboarding/service.py): consent first; a profile is saved whole or
not at all; health facts only under a consent that stands in the database; tags follow the
profile, a doctor's tags stay; a staff invite is used once, by the right account. On SQLite
and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from flows.admin.service import create_admin_invite, create_doctor_invite, remove_staff
from flows.onboarding.service import (
    AccountHasOtherRole,
    InviteInvalid,
    OnboardingService,
    ProfileIncomplete,
    StaffPostHeld,
)
from flows.person import ProfileDraft
from storage.models import (
    AuditEntry,
    Consent,
    ConsentKind,
    Pregnancy,
    Resident,
    ResidentTag,
    Role,
    Sex,
    TagSource,
    User,
)
from storage.users import find_user
from tests.signing.conftest import Account, Centre

DRAFT = ProfileDraft(
    name="张秀兰", phone="+8613800138000", birth_date=date(1948, 3, 5), sex=Sex.FEMALE,
    community_id="xingfu-1", address="幸福路 12 号 3 栋", health_consent=True,
    conditions=["hypertension", "diabetes"], disability=False,
)  # fmt: skip


async def _newcomer(world: Centre, *, health: bool = True) -> Account:
    """An account that has read the privacy notice and answered the health-data question."""
    account = await world.account(role=Role.RESIDENT)
    async with world.session_for(account) as (session, user):
        onboarding = OnboardingService(session, world.clock, world.config)
        await onboarding.record_consent(user, ConsentKind.PRIVACY_NOTICE, granted=True)
        await onboarding.record_consent(user, ConsentKind.HEALTH_DATA, granted=health)
    return account


async def _save(world: Centre, account: Account, draft: ProfileDraft) -> tuple[object, ...]:
    """Saves the profile in its own update; returns (resident id, tags, health_left_out)."""
    async with world.session_for(account) as (session, user):
        saved = await OnboardingService(session, world.clock, world.config).save_profile(
            user, draft
        )
        return saved.resident.id, sorted(saved.tags), saved.health_left_out


async def _stored(world: Centre, account: Account) -> User:
    async with world.db.sessionmaker() as session:
        user = await find_user(session, account.telegram_id)
        assert user is not None
        return user


def _health(resident: Resident) -> tuple[object, ...]:
    return sorted(c.code for c in resident.conditions), resident.pregnancy, resident.disability


async def test_a_profile_is_saved_with_its_household_tags_and_consents(any_world: Centre) -> None:
    account = await _newcomer(any_world)
    resident_id, tags, left_out = await _save(any_world, account, DRAFT)
    assert tags == ["diabetes", "elderly", "hypertension"] and left_out is False

    user = await _stored(any_world, account)
    resident = user.resident
    assert resident is not None and resident.id == resident_id
    assert (resident.name, resident.phone, resident.birth_date, resident.sex) == (
        "张秀兰", "+8613800138000", date(1948, 3, 5), Sex.FEMALE,
    )  # fmt: skip
    assert (resident.household.community_id, resident.household.address) == (
        "xingfu-1", "幸福路 12 号 3 栋",
    )  # fmt: skip
    assert _health(resident) == (["diabetes", "hypertension"], Pregnancy.NONE, False)
    assert all(t.source is TagSource.DERIVED for t in resident.tags)
    assert user.onboarded_at == any_world.clock.now()
    privacy = any_world.config.privacy
    async with any_world.db.sessionmaker() as session:
        consents = {
            (c.kind, c.text_version, c.granted)
            for c in await session.scalars(select(Consent).where(Consent.user_id == user.id))
        }
        saved = await session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "profile_saved", AuditEntry.actor_user_id == user.id
            )
        )
    assert consents == {
        (ConsentKind.PRIVACY_NOTICE, privacy.notice_version, True),
        (ConsentKind.HEALTH_DATA, privacy.health_consent_version, True),
    }
    assert saved == 1


@pytest.mark.parametrize(
    "draft",
    [
        replace(DRAFT, name=None),
        replace(DRAFT, birth_date=None),
        replace(DRAFT, sex=None),
        replace(DRAFT, community_id=None),
        replace(DRAFT, community_id="atlantis"),
        replace(DRAFT, health_consent=False),  # health answers without the consent to keep them
    ],
    ids=["no name", "no birth date", "no sex", "no community", "unknown community",
         "health facts without consent"],
)  # fmt: skip
async def test_an_incomplete_profile_is_refused_and_nothing_is_saved(
    any_world: Centre, draft: ProfileDraft
) -> None:
    account = await _newcomer(any_world)
    with pytest.raises(ProfileIncomplete):
        await _save(any_world, account, draft)
    user = await _stored(any_world, account)
    assert user.resident is None and user.onboarded_at is None
    async with any_world.db.sessionmaker() as session:
        assert await session.scalar(select(func.count(Resident.id))) == 0


async def test_health_facts_are_left_out_when_the_consent_does_not_stand(
    any_world: Centre,
) -> None:
    # The form still holds "agreed" (say, withdrawn in ⚙️ 设置 meanwhile); the database decides.
    account = await _newcomer(any_world, health=False)
    _, tags, left_out = await _save(any_world, account, replace(DRAFT, disability=True))
    assert left_out is True and tags == ["elderly"]
    resident = (await _stored(any_world, account)).resident
    assert resident is not None and _health(resident) == ([], None, None)


async def test_conditions_the_centre_does_not_list_are_dropped(any_world: Centre) -> None:
    account = await _newcomer(any_world)
    await _save(any_world, account, replace(DRAFT, conditions=["hypertension", "gout"]))
    resident = (await _stored(any_world, account)).resident
    assert resident is not None and _health(resident)[0] == ["hypertension"]


@pytest.mark.parametrize(
    ("born", "sex", "pregnancy", "disability", "tags"),
    [
        (date(1995, 7, 12), Sex.FEMALE, Pregnancy.PREGNANT, False, ["maternal"]),
        (date(1995, 7, 12), Sex.FEMALE, Pregnancy.POSTPARTUM, True, ["disability", "maternal"]),
        (date(2022, 1, 1), Sex.MALE, None, False, ["child"]),
        (date(1961, 11, 24), Sex.MALE, None, False, []),  # 64 on the clock's day
        (date(1961, 11, 23), Sex.MALE, None, False, ["elderly"]),  # 65 that very day
    ],
    ids=["pregnant", "postpartum and disabled", "child", "not yet 65", "65 today"],
)
async def test_priority_tags_follow_the_profile(
    any_world: Centre, born: date, sex: Sex, pregnancy: Pregnancy | None, disability: bool,
    tags: list[str],
) -> None:  # fmt: skip
    account = await _newcomer(any_world)
    draft = replace(DRAFT, birth_date=born, sex=sex, pregnancy=pregnancy, disability=disability,
                    conditions=[])  # fmt: skip
    assert (await _save(any_world, account, draft))[1] == tags


async def test_an_edit_keeps_the_resident_the_doctors_tags_and_the_first_onboarding_day(
    any_world: Centre,
) -> None:
    account = await _newcomer(any_world)
    first_id, _, _ = await _save(any_world, account, DRAFT)
    first_day = any_world.clock.now()
    async with any_world.db.sessionmaker() as session:  # her doctor records a condition
        session.add(ResidentTag(resident_id=first_id, tag="mental", source=TagSource.DOCTOR,
                                added_at=first_day))  # fmt: skip
        await session.commit()
    any_world.clock.advance(timedelta(days=30))

    moved = replace(DRAFT, community_id="xingfu-2", address="幸福路 30 号", conditions=["diabetes"])
    resident_id, tags, _ = await _save(any_world, account, moved)
    assert resident_id == first_id
    assert tags == ["diabetes", "elderly", "mental"]  # hypertension gone, the doctor's tag stays
    user = await _stored(any_world, account)
    assert user.resident is not None
    assert user.resident.household.community_id == "xingfu-2"
    assert _health(user.resident)[0] == ["diabetes"]
    assert user.onboarded_at == first_day
    async with any_world.db.sessionmaker() as session:
        assert await session.scalar(select(func.count(Resident.id))) == 1


async def test_the_draft_shows_health_facts_only_while_the_consent_stands(
    any_world: Centre,
) -> None:
    account = await _newcomer(any_world)
    async with any_world.session_for(account) as (session, user):
        onboarding = OnboardingService(session, any_world.clock, any_world.config)
        assert await onboarding.draft_from_profile(user) == ProfileDraft(health_consent=True)
    await _save(any_world, account, DRAFT)
    async with any_world.session_for(account) as (session, user):
        onboarding = OnboardingService(session, any_world.clock, any_world.config)
        draft = await onboarding.draft_from_profile(user)
        assert draft == replace(DRAFT, conditions=draft.conditions, pregnancy=Pregnancy.NONE)
        assert sorted(draft.conditions) == ["diabetes", "hypertension"]
        any_world.clock.advance(timedelta(minutes=1))
        await onboarding.record_consent(user, ConsentKind.HEALTH_DATA, granted=False)
        assert await onboarding.draft_from_profile(user) == replace(
            DRAFT, health_consent=False, conditions=[], pregnancy=None, disability=None
        )


# ---- staff invites ------------------------------------------------------------------------


async def _invite(world: Centre, staff_id: str | None) -> str:
    """A one-time code for that staff post, or for an admin when staff_id is None."""
    async with world.db.sessionmaker() as session:
        if staff_id is None:
            invite = await create_admin_invite(
                session, label=None, clock=world.clock, centre=world.config
            )
        else:
            invite = await create_doctor_invite(
                session, staff_id=staff_id, clock=world.clock, centre=world.config
            )
        await session.commit()
    return invite.code


async def _redeem(world: Centre, account: Account, code: str) -> str | None:
    """The staff id joined (None: joined as an admin)."""
    async with world.session_for(account) as (session, user):
        joined = await OnboardingService(session, world.clock, world.config).redeem_invite(
            user, code
        )
        return joined.staff.id if joined.staff else None


async def _role(world: Centre, account: Account) -> tuple[Role, str | None]:
    user = await _stored(world, account)
    return user.role, user.staff_id


async def _audited(world: Centre, action: str) -> list[dict[str, object]]:
    async with world.db.sessionmaker() as session:
        entries = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [{"subject": e.subject_id, **e.detail} for e in entries]


async def test_an_invite_gives_its_posts_role_once(any_world: Centre) -> None:
    code = await _invite(any_world, "nurse-li")
    nurse, stranger = await _newcomer(any_world), await _newcomer(any_world)
    assert await _redeem(any_world, nurse, code) == "nurse-li"
    assert await _role(any_world, nurse) == (Role.STAFF, "nurse-li")
    with pytest.raises(InviteInvalid):
        await _redeem(any_world, stranger, code)
    assert await _role(any_world, stranger) == (Role.RESIDENT, None)
    assert await _audited(any_world, "invite_redeemed") == [{"subject": "nurse-li"}]


async def test_an_invite_past_its_days_or_unknown_is_invalid(any_world: Centre) -> None:
    code = await _invite(any_world, "dr-wang")
    any_world.clock.advance(timedelta(days=any_world.config.privacy.doctor_invite_days, seconds=1))
    account = await _newcomer(any_world)
    for attempt in (code, "doc_no-such-code"):
        with pytest.raises(InviteInvalid):
            await _redeem(any_world, account, attempt)
    assert await _role(any_world, account) == (Role.RESIDENT, None)


async def test_a_held_post_is_refused_and_the_invite_waits_for_the_admin(
    any_world: Centre,
) -> None:
    holder = await any_world.staff("dr-wang")
    code = await _invite(any_world, "dr-wang")
    new_phone = await _newcomer(any_world)
    with pytest.raises(StaffPostHeld):
        await _redeem(any_world, new_phone, code)
    assert await _role(any_world, new_phone) == (Role.RESIDENT, None)
    assert await _audited(any_world, "invite_refused") == [
        {"subject": "dr-wang", "reason": "StaffPostHeld"}
    ]
    async with any_world.db.sessionmaker() as session:
        await remove_staff(session, "dr-wang", any_world.clock)
        await session.commit()
    assert await _redeem(any_world, new_phone, code) == "dr-wang"  # not used up by the refusal
    assert await _role(any_world, new_phone) == (Role.STAFF, "dr-wang")
    assert await _role(any_world, holder) == (Role.RESIDENT, None)


async def test_an_admin_invite_makes_an_admin_but_never_of_staff(any_world: Centre) -> None:
    doctor = await any_world.staff("dr-chen")
    with pytest.raises(AccountHasOtherRole):
        await _redeem(any_world, doctor, await _invite(any_world, None))
    assert await _role(any_world, doctor) == (Role.STAFF, "dr-chen")

    resident = await _newcomer(any_world)
    assert await _redeem(any_world, resident, await _invite(any_world, None)) is None
    assert await _role(any_world, resident) == (Role.ADMIN, None)
    # One role per account: an admin cannot also take a staff post.
    with pytest.raises(AccountHasOtherRole):
        await _redeem(any_world, resident, await _invite(any_world, "nurse-zhou"))
    assert await _role(any_world, resident) == (Role.ADMIN, None)
