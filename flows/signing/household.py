"""Who can be in a contract: the household's people, what each may choose, and adding a
family member (with their health facts only on a consent recorded for them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flows.packages.service import Offer, Person, offers_for
from flows.person import ProfileDraft, clean_name, may_be_pregnant, priority_tags
from flows.signing.context import SigningContext
from flows.signing.problems import NotOffered
from storage import contracts as q
from storage.audit import record_audit
from storage.consents import (
    has_consent,
    lock_consents,
    member_consent_to_bind,
    record_member_health_consent,
)
from storage.models import (
    ConsentKind,
    Pregnancy,
    Relation,
    Resident,
    ResidentCondition,
    ResidentTag,
    Sex,
    TagSource,
    User,
)

FAMILY_RELATIONS = (
    Relation.SPOUSE, Relation.FATHER, Relation.MOTHER, Relation.SON, Relation.DAUGHTER,
    Relation.GRANDCHILD, Relation.OTHER,
)  # fmt: skip
MAX_HOUSEHOLD = 8


@dataclass(frozen=True)
class MemberOption:
    resident: Resident
    offers: list[Offer]
    covered: bool  # already in an active contract or a request


@dataclass
class FamilyMemberDraft:
    relation: Relation
    name: str
    birth_date: date
    sex: Sex
    conditions: list[str] = field(default_factory=list)
    pregnancy: Pregnancy | None = None
    disability: bool | None = None
    # The member consent the user recorded for this person (SigningService.agree_member_health)
    consent_id: int | None = None


async def health_known(ctx: SigningContext, user: User) -> bool:
    return await has_consent(ctx.session, user.id, ConsentKind.HEALTH_DATA)


async def members(ctx: SigningContext, user: User) -> list[MemberOption]:
    """The household's people, what each may choose, and who is already covered."""
    household_id = ctx.household_id(user)
    residents = list(await q.household_residents(ctx.session, household_id))
    covered = {
        member.resident_id
        for contract in await q.contracts_holding(
            ctx.session, [r.id for r in residents], q.HOLDS_A_PLACE
        )
        for member in contract.members
    }
    consent = await health_known(ctx, user)
    today = ctx.today()
    # Health facts are recorded only with consent (disability is then set, true or
    # false): without them, disease packages are "unknown", not "you don't have it".
    return [
        MemberOption(
            r,
            offers_for(
                Person.of(
                    r, today, ctx.centre.priority, health_known=consent and r.disability is not None
                ),
                ctx.centre,
            ),
            r.id in covered,
        )
        for r in residents
    ]


async def agree_member_health(ctx: SigningContext, user: User) -> int | None:
    """The user pressed "record (the family member agreed)": the member's consent is
    recorded now, given by the user for that member, and bound to the member when the
    form saves them. None when the user's own health-data consent no longer stands (no
    health facts are recorded under a withdrawn consent, the user's or a member's)."""
    ctx.household_id(user)
    await lock_consents(ctx.session, user.id)
    if not await health_known(ctx, user):
        return None
    consent = await record_member_health_consent(
        ctx.session,
        user_id=user.id,
        version=ctx.centre.privacy.health_consent_version,
        now=ctx.clock.now(),
    )
    await ctx.session.commit()
    return consent.id


async def add_family_member(ctx: SigningContext, user: User, draft: FamilyMemberDraft) -> Resident:
    """A spouse, parent or child with their own profile, in the user's household. Their
    health facts are written only on a member consent the user recorded for them (and
    while the user's own consent stands), both read in this transaction under the
    consent lock: whatever the form's state says."""
    household_id = ctx.household_id(user)
    if draft.relation not in FAMILY_RELATIONS:
        raise NotOffered
    name = clean_name(draft.name)
    if name is None or draft.birth_date > ctx.today():
        raise NotOffered
    if len(await q.household_residents(ctx.session, household_id)) >= MAX_HOUSEHOLD:
        raise NotOffered
    await lock_consents(ctx.session, user.id)
    consent = (
        await member_consent_to_bind(ctx.session, user.id, draft.consent_id)
        if draft.consent_id is not None and await health_known(ctx, user)
        else None
    )
    health = consent is not None
    now = ctx.clock.now()
    resident = Resident(
        household_id=household_id,
        relation=draft.relation,
        name=name,
        birth_date=draft.birth_date,
        sex=draft.sex,
        created_by_user_id=user.id,
        created_at=now,
        updated_at=now,
        conditions=[],
        tags=[],
    )
    pregnant = may_be_pregnant(draft.sex, draft.birth_date, ctx.today(), ctx.centre.priority)
    if health:
        resident.pregnancy = draft.pregnancy if pregnant and draft.pregnancy else Pregnancy.NONE
        resident.disability = bool(draft.disability)
        resident.conditions = [
            ResidentCondition(code=code, recorded_at=now)
            for code in dict.fromkeys(draft.conditions)
            if ctx.centre.condition(code) is not None
        ]
    profile = ProfileDraft(
        birth_date=draft.birth_date,
        sex=draft.sex,
        health_consent=health,
        conditions=[c.code for c in resident.conditions],
        pregnancy=resident.pregnancy,
        disability=resident.disability,
    )
    resident.tags = [
        ResidentTag(tag=tag, source=TagSource.DERIVED, added_at=now)
        for tag in priority_tags(profile, ctx.today(), ctx.centre.priority)
    ]
    ctx.session.add(resident)
    if consent is not None:
        await ctx.session.flush()
        consent.subject_resident_id = resident.id
    record_audit(
        ctx.session, at=now, actor_user_id=user.id, action="family_member_added",
        subject_type="household", subject_id=household_id,
    )  # fmt: skip
    await ctx.session.commit()
    return resident
