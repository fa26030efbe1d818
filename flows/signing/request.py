"""The signing request: household members, their packages and a term, sent to one doctor
whose places it takes at once."""

from __future__ import annotations

from flows.centre import Package
from flows.packages.service import included_packages
from flows.signing.context import SigningContext
from flows.signing.doctors import take_places
from flows.signing.household import MemberOption, members
from flows.signing.lifecycle import move
from flows.signing.problems import AlreadyCovered, NotAllowed, NotOffered
from storage import contracts as q
from storage.models import (
    Contract,
    ContractMember,
    ContractPackage,
    ContractState,
    Resident,
    User,
)


async def request(
    ctx: SigningContext, user: User, staff_id: str, chosen: dict[int, list[str]], term_years: int
) -> Contract:
    """A signing request for these household members with these packages (the free ones
    open to each are included: planned_packages). Takes the doctor's places at once, or
    raises DoctorFull when another household took the last ones first."""
    household_id = ctx.household_id(user)
    if not chosen or term_years not in ctx.centre.contract.terms_years:
        raise NotOffered
    # Before reading who is covered: a request sent twice at once (to one doctor or two)
    # waits here for the first and then finds its members covered.
    await q.lock_household(ctx.session, household_id)
    # One contract per household (members share it): a second one is not a new request.
    if await q.household_contract(ctx.session, household_id, q.HOLDS_A_PLACE):
        raise AlreadyCovered
    now = ctx.clock.now()
    options = {m.resident.id: m for m in await members(ctx, user)}
    if any(rid not in options for rid in chosen):
        raise NotAllowed
    if any(options[rid].covered for rid in chosen):
        raise AlreadyCovered
    packages = {
        rid: [p.id for p in planned_packages(options[rid], ids)] for rid, ids in chosen.items()
    }
    await take_places(ctx, household_id, staff_id, len(chosen))
    # Inside both locks: nobody is covered twice (checked above too, under the same lock).
    if await q.contracts_holding(ctx.session, chosen, q.HOLDS_A_PLACE):
        raise AlreadyCovered
    contract = Contract(
        household_id=household_id,
        staff_id=staff_id,
        term_years=term_years,
        requested_by_user_id=user.id,
        requested_at=now,
        members=[
            ContractMember(resident_id=rid, packages=[ContractPackage(package_id=p) for p in ids])
            for rid, ids in packages.items()
        ],
        transitions=[],
    )
    move(contract, ContractState.REQUESTED, by_user_id=user.id, at=now)
    ctx.session.add(contract)
    waiting = await q.waitlist_entry(ctx.session, household_id)
    if waiting is not None:
        await ctx.session.delete(waiting)
    await ctx.session.flush()
    applicant = options[next(iter(chosen))].resident.name
    await ctx.notices.request_received(contract, applicant, len(chosen), now)
    ctx.audit(user, "contract_requested", contract)
    await ctx.session.commit()
    return contract


def planned_packages(option: MemberOption, picked: list[str]) -> list[Package]:
    """The packages a request stores for this member (what the agreement shows): see
    flows.packages.service.included_packages. Picking one not open to them is refused."""
    offered = {o.package.id for o in option.offers if o.eligible}
    if any(i not in offered for i in picked):
        raise NotOffered
    return included_packages(option.offers, picked)


async def agreement(
    ctx: SigningContext, user: User, chosen: dict[int, list[str]]
) -> list[tuple[Resident, list[Package]]]:
    """Who is signed with which packages, as `request` with the same choice would store it."""
    options = {m.resident.id: m for m in await members(ctx, user)}
    if any(rid not in options for rid in chosen):
        raise NotAllowed
    return [(options[rid].resident, planned_packages(options[rid], ids))
            for rid, ids in chosen.items()]  # fmt: skip
