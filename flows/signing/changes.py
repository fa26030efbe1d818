"""The household's contract once it stands: what is current, renewing it (续约), changing
doctor (改签) and cancelling (解约). Each reads the contract under the household's lock."""

from __future__ import annotations

from datetime import date, timedelta

from flows.catalogue import N_
from flows.packages.service import included_packages
from flows.person import unlinkable
from flows.signing.context import SigningContext
from flows.signing.doctors import offer_freed_places, take_places
from flows.signing.household import MemberOption, members
from flows.signing.lifecycle import move, term_end
from flows.signing.problems import (
    ChangeLimit,
    ContractReplaced,
    NotOffered,
    NotYetRenewable,
    StateChanged,
)
from flows.signing.reasons import CANCEL_REASONS, WITHDRAWN
from storage import contracts as q
from storage.models import Contract, ContractMember, ContractPackage, ContractState, User


async def current(ctx: SigningContext, user: User) -> Contract | None:
    """The household's active contract, or else its pending request."""
    household_id = ctx.household_id(user)
    return await q.household_contract(
        ctx.session, household_id, (ContractState.ACTIVE,)
    ) or await q.household_contract(ctx.session, household_id, (ContractState.REQUESTED,))


async def pending_change(ctx: SigningContext, contract: Contract) -> Contract | None:
    pending = await q.household_contract(
        ctx.session, contract.household_id, (ContractState.REQUESTED,)
    )
    return pending if pending is not None and pending.replaces_id == contract.id else None


async def _own_active(ctx: SigningContext, user: User, contract_id: int | None = None) -> Contract:
    """The household's active contract, read under the household's lock: renewing,
    changing doctor and cancelling never interleave with each other, a double tap or the
    doctor's answer. With `contract_id` (the contract a button was shown for), a button
    left from a contract since renewed or replaced acts on nothing."""
    household_id = ctx.household_id(user)
    await q.lock_household(ctx.session, household_id)
    contract = await q.household_contract(ctx.session, household_id, (ContractState.ACTIVE,))
    if contract is None:
        raise StateChanged
    if contract_id is not None and contract.id != contract_id:
        raise ContractReplaced
    return contract


def renewable_from(ctx: SigningContext, contract: Contract) -> date:
    assert contract.ends_on is not None
    return contract.ends_on - timedelta(days=max(ctx.centre.contract.renewal_notice_days))


async def renew(ctx: SigningContext, user: User) -> Contract:
    """One tap: the same doctor, members and packages (those still open to each member)
    for another term starting the day after the current one ends."""
    old = await _own_active(ctx, user)
    if await pending_change(ctx, old) is not None:
        raise StateChanged  # changing doctor: the new contract decides the next term
    if ctx.today() < renewable_from(ctx, old):
        raise NotYetRenewable
    assert old.ends_on is not None
    now = ctx.clock.now()
    options = {m.resident.id: m for m in await members(ctx, user)}
    starts = old.ends_on + timedelta(days=1)
    new = Contract(
        household_id=old.household_id,
        staff_id=old.staff_id,
        term_years=old.term_years,
        requested_by_user_id=user.id,
        requested_at=now,
        starts_on=starts,
        ends_on=term_end(starts, old.term_years),
        renewed_from_id=old.id,
        members=[
            ContractMember(
                resident_id=m.resident_id,
                packages=[ContractPackage(package_id=p) for p in _kept(ctx, m, options)],
            )
            for m in old.members
        ],
        transitions=[],
    )
    move(new, ContractState.ACTIVE, by_user_id=user.id, at=now, note="renewal")
    move(old, ContractState.RENEWED, by_user_id=user.id, at=now)
    ctx.session.add(new)
    await ctx.notices.withdraw(old)
    await ctx.session.flush()
    await ctx.notices.plan_renewal(new, user.id, now)
    await ctx.notices.tell_doctor(
        old.staff_id, N_("{name} 家已续约，到 {end}。"), now,
        dates=("end",), name=unlinkable(options[old.members[0].resident_id].resident.name),
        end=new.ends_on.isoformat(),
    )  # fmt: skip
    ctx.audit(user, "contract_renewed", new)
    await ctx.session.commit()
    return new


def _kept(
    ctx: SigningContext, member: ContractMember, options: dict[int, MemberOption]
) -> list[str]:
    option = options.get(member.resident_id)
    if option is None:  # no longer of the household: nothing can be judged open to them
        return [p.package_id for p in member.packages]
    return [p.id for p in included_packages(option.offers, [p.package_id for p in member.packages])]


async def request_change(
    ctx: SigningContext, user: User, staff_id: str, contract_id: int | None = None
) -> Contract:
    """改签: a request to another doctor for the same members and packages; the current
    contract stays until the new doctor agrees (config: doctor_changes_per_year).
    `contract_id`: the contract the confirm button was shown for."""
    old = await _own_active(ctx, user, contract_id)
    if staff_id == old.staff_id:
        raise NotOffered
    if await pending_change(ctx, old) is not None:
        raise StateChanged
    now = ctx.clock.now()
    year_ago = now - timedelta(days=365)
    used = await q.changes_since(ctx.session, old.household_id, year_ago)
    if used >= ctx.centre.contract.doctor_changes_per_year:
        raise ChangeLimit
    await take_places(ctx, old.household_id, staff_id, len(old.members))
    new = Contract(
        household_id=old.household_id,
        staff_id=staff_id,
        term_years=old.term_years,
        requested_by_user_id=user.id,
        requested_at=now,
        replaces_id=old.id,
        members=[
            ContractMember(
                resident_id=m.resident_id,
                packages=[ContractPackage(package_id=p.package_id) for p in m.packages],
            )
            for m in old.members
        ],
        transitions=[],
    )
    move(new, ContractState.REQUESTED, by_user_id=user.id, at=now, note="change of doctor")
    ctx.session.add(new)
    await ctx.session.flush()
    residents = await q.residents_by_id(ctx.session, [m.resident_id for m in old.members])
    applicant = residents[old.members[0].resident_id].name
    await ctx.notices.request_received(new, applicant, len(old.members), now)
    ctx.audit(user, "contract_change_requested", new)
    await ctx.session.commit()
    return new


async def cancel(
    ctx: SigningContext, user: User, reason: str, contract_id: int | None = None
) -> Contract:
    """解约 with a reason; the doctor is told and the place goes to whoever waits.
    `contract_id`: the contract the confirm button was shown for."""
    if not CANCEL_REASONS.may_choose(reason):
        raise NotOffered
    contract = await _own_active(ctx, user, contract_id)
    now = ctx.clock.now()
    contract.reason = reason
    move(contract, ContractState.CANCELLED, by_user_id=user.id, at=now, note=reason)
    pending = await pending_change(ctx, contract)
    if pending is not None:  # a change of doctor is moot once the contract is cancelled
        pending.reason = WITHDRAWN
        move(pending, ContractState.REJECTED, by_user_id=user.id, at=now, note=WITHDRAWN)
        await ctx.notices.withdraw(pending)
        await offer_freed_places(ctx, pending.staff_id, len(pending.members), now)
    await ctx.notices.withdraw(contract)
    await ctx.notices.tell_doctor(
        contract.staff_id, N_("有一户居民解约了（{count} 人）。"), now,
        count=len(contract.members),
    )  # fmt: skip
    await offer_freed_places(ctx, contract.staff_id, len(contract.members), now)
    ctx.audit(user, "contract_cancelled", contract)
    await ctx.session.commit()
    return contract


async def withdraw(ctx: SigningContext, user: User, contract_id: int) -> Contract:
    """The household takes back a request nobody has decided yet (to sign, or to change
    doctor): it leaves the team's queue, its places free up and its reminders stop.
    `contract_id`: the request the button was shown for; one decided meanwhile stays."""
    household_id = ctx.household_id(user)
    await q.lock_household(ctx.session, household_id)  # not while the doctor decides
    pending = await q.household_contract(ctx.session, household_id, (ContractState.REQUESTED,))
    if pending is None or pending.id != contract_id:
        raise StateChanged
    now = ctx.clock.now()
    pending.reason = WITHDRAWN
    move(pending, ContractState.REJECTED, by_user_id=user.id, at=now, note=WITHDRAWN)
    await ctx.notices.withdraw(pending)
    await offer_freed_places(ctx, pending.staff_id, len(pending.members), now)
    ctx.audit(user, "contract_withdrawn", pending)
    await ctx.session.commit()
    return pending
