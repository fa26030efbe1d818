"""A family member's health facts rest on a consent the resident recorded for that member,
read in the database when the member is saved; withdrawing the resident's own consent erases
them. On SQLite and PostgreSQL (the consent lock differs)."""

from __future__ import annotations

from datetime import date

from flows.settings.service import SettingsService
from flows.signing.service import FamilyMemberDraft
from storage.models import Pregnancy, Relation, Resident, Sex
from storage.users import find_user
from tests.signing.conftest import Centre


def _daughter(consent_id: int | None) -> FamilyMemberDraft:
    return FamilyMemberDraft(
        relation=Relation.DAUGHTER, name="李小红", birth_date=date(1995, 7, 12), sex=Sex.FEMALE,
        conditions=["diabetes"], pregnancy=Pregnancy.PREGNANT, disability=True,
        consent_id=consent_id,
    )  # fmt: skip


def _health(member: Resident) -> tuple[object, ...]:
    return (
        sorted(c.code for c in member.conditions),
        member.pregnancy,
        member.disability,
        sorted(t.tag for t in member.tags),
    )


NO_HEALTH = ([], None, None, [])


async def test_member_facts_need_a_member_consent_and_go_with_a_withdrawal(
    any_world: Centre,
) -> None:
    mother = await any_world.resident()
    neighbour = await any_world.resident(name="王大妈")
    async with any_world.update(neighbour) as (signing, user):
        someone_elses = await signing.agree_member_health(user)
    async with any_world.update(mother) as (signing, user):
        # No consent for her, or another household's: the form's answers are not written.
        unconsented = await signing.add_family_member(user, _daughter(None))
        borrowed = await signing.add_family_member(user, _daughter(someone_elses))
        agreed = await signing.agree_member_health(user)
        recorded = await signing.add_family_member(user, _daughter(agreed))
        # A consent is bound to one member: saving another with it writes nothing.
        reused = await signing.add_family_member(user, _daughter(agreed))
    assert _health(unconsented) == _health(borrowed) == _health(reused) == NO_HEALTH
    assert _health(recorded) == (
        ["diabetes"], Pregnancy.PREGNANT, True, ["diabetes", "disability", "maternal"],
    )  # fmt: skip

    async with any_world.db.sessionmaker() as session:
        user = await find_user(session, mother.telegram_id)
        assert user is not None
        await SettingsService(session, any_world.clock, any_world.config).withdraw_health_consent(
            user
        )
    async with any_world.update(mother) as (signing, user):
        members = {m.resident.id: m.resident for m in await signing.members(user)}
        assert _health(members[recorded.id]) == NO_HEALTH
        assert await signing.agree_member_health(user) is None  # nothing new without hers
