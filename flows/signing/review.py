"""The care team's side: requests waiting for the team, a contract seen only while its
household is the team's, the doctor's decision (approve or reject) and the signed residents."""

from __future__ import annotations

from dataclasses import dataclass

from flows.catalogue import N_
from flows.menu.service import staff_desk
from flows.signing.context import SigningContext
from flows.signing.doctors import offer_freed_places
from flows.signing.lifecycle import move, term_end
from flows.signing.problems import (
    NoLongerAssigned,
    NotAllowed,
    NotOffered,
    StateChanged,
    Withdrawn,
)
from flows.signing.reasons import REJECT_REASONS, WITHDRAWN, WRITTEN
from storage import contracts as q
from storage.audit import record_audit
from storage.models import Contract, ContractState, Resident, Staff, User

NOTE_MAX = 300  # characters: a sentence or two, as a reason should be


def reason_note(text: str | None) -> str | None:
    """The doctor's typed reason as it will be kept and sent, or None when it is empty,
    a command or longer than NOTE_MAX."""
    note = (text or "").strip()
    if not note or note.startswith("/") or len(note) > NOTE_MAX:
        return None
    return note


def _staff_id(user: User) -> str:
    if not user.role.is_staff or user.staff_id is None:
        raise NotAllowed
    return user.staff_id


def _team_staff(ctx: SigningContext, user: User) -> list[str]:
    """The staff whose residents this staff member cares for: their whole team (the
    doctor and the team serve the same residents)."""
    staff_id = _staff_id(user)
    team = ctx.centre.team_of(staff_id)
    return [m.id for m in team.members] if team else [staff_id]


async def review_queue(ctx: SigningContext, user: User) -> list[Contract]:
    """Requests waiting for the team's doctors, oldest first (a request holds a place:
    its household is assigned to the team, as q.household_assigned_to defines it)."""
    return list(
        await q.doctor_contracts(ctx.session, _team_staff(ctx, user), (ContractState.REQUESTED,))
    )


async def contract_for_staff(ctx: SigningContext, user: User, contract_id: int) -> Contract:
    """A contract held by this staff member's own team whose household is still assigned
    to the team (storage.contracts.household_assigned_to), or NotAllowed: staff see a
    household only while it is theirs, whatever the contract's state."""
    contract = await _team_contract(ctx, user, contract_id)
    if _withdrawn(contract):
        raise Withdrawn  # said kindly: nothing left to do, and nothing of theirs shown
    if not await q.household_assigned_to(
        ctx.session, contract.household_id, _team_staff(ctx, user)
    ):
        raise NoLongerAssigned
    record_audit(
        ctx.session, at=ctx.clock.now(), actor_user_id=user.id, action="contract_viewed",
        subject_type="contract", subject_id=contract.id,
    )  # fmt: skip
    return contract


async def _team_contract(ctx: SigningContext, user: User, contract_id: int) -> Contract:
    """A contract held by this staff member's team (shown to nobody by itself)."""
    contract = await q.contract_by_id(ctx.session, contract_id)
    if contract is None or contract.staff_id not in _team_staff(ctx, user):
        raise NotAllowed
    return contract


async def approve(ctx: SigningContext, user: User, contract_id: int) -> Contract:
    contract = await _decidable(ctx, user, contract_id)
    now = ctx.clock.now()
    contract.starts_on = ctx.today()
    contract.ends_on = term_end(contract.starts_on, contract.term_years)
    move(contract, ContractState.ACTIVE, by_user_id=user.id, at=now)
    if contract.replaces_id is not None:
        old = await q.contract_by_id(ctx.session, contract.replaces_id)
        if old is not None and old.state is ContractState.ACTIVE:
            old.reason = "changed_doctor"
            move(old, ContractState.CANCELLED, by_user_id=user.id, at=now, note="change")
            await ctx.notices.withdraw(old)
            await ctx.notices.tell_doctor(
                old.staff_id, N_("有一户居民换到了别的医生（{count} 人）。"), now,
                count=len(old.members),
            )  # fmt: skip
            await offer_freed_places(ctx, old.staff_id, len(old.members), now)
    await ctx.notices.decided(contract, await _doctor_name(ctx, contract), now)
    await ctx.notices.plan_renewal(contract, contract.requested_by_user_id, now)
    ctx.audit(user, "contract_approved", contract)
    await ctx.session.commit()
    return contract


async def reject(
    ctx: SigningContext, user: User, contract_id: int, reason: str, note: str | None = None
) -> Contract:
    """Declines with a reason code, or (WRITTEN) with the doctor's own words in `note`."""
    note = reason_note(note) if reason == WRITTEN else None
    if not (REJECT_REASONS.may_choose(reason) or (reason == WRITTEN and note)):
        raise NotOffered
    contract = await _decidable(ctx, user, contract_id)
    now = ctx.clock.now()
    contract.reason, contract.reason_note = reason, note
    move(contract, ContractState.REJECTED, by_user_id=user.id, at=now, note=reason)
    await ctx.notices.decided(contract, await _doctor_name(ctx, contract), now)
    await offer_freed_places(ctx, contract.staff_id, len(contract.members), now)
    ctx.audit(user, "contract_rejected", contract)
    await ctx.session.commit()
    return contract


async def _decidable(ctx: SigningContext, user: User, contract_id: int) -> Contract:
    # Only a request (which holds a place, so its household is assigned) is decided:
    # a contract decided already says so, and shows nothing.
    contract = await _team_contract(ctx, user, contract_id)
    if contract.staff_id != user.staff_id:
        raise NotAllowed  # the team sees requests; the resident's own doctor (a GP) decides
    # Decided once: a second tap (or the household cancelling meanwhile) waits for the
    # first to commit and then reads the contract as it left it.
    await q.lock_household(ctx.session, contract.household_id)
    fresh = await q.contract_by_id(ctx.session, contract_id)
    if fresh is not None and _withdrawn(fresh):
        raise Withdrawn
    if fresh is None or fresh.state is not ContractState.REQUESTED:
        raise StateChanged
    return fresh


def _withdrawn(contract: Contract) -> bool:
    return contract.state is ContractState.REJECTED and contract.reason == WITHDRAWN


async def _doctor_name(ctx: SigningContext, contract: Contract) -> str:
    doctor = await ctx.session.get(Staff, contract.staff_id)
    return doctor.name if doctor else ""


async def my_residents(ctx: SigningContext, user: User) -> list[tuple[Resident, Contract]]:
    """The team's signed residents (a doctor's own team, for every member of it): the
    households assigned to the team by an active contract (q.household_assigned_to)."""
    contracts = await q.doctor_contracts(
        ctx.session, _team_staff(ctx, user), (ContractState.ACTIVE,), limit=500
    )
    residents = await q.residents_by_id(
        ctx.session, [m.resident_id for c in contracts for m in c.members]
    )
    return [(residents[m.resident_id], c) for c in contracts for m in c.members]


async def resident_for_staff(
    ctx: SigningContext, user: User, resident_id: int
) -> tuple[Resident, Contract]:
    """One of the team's signed residents (as my_residents lists them) with the contract
    covering them, or NotAllowed: whoever else's resident a button or a forged id names,
    the check is here, not in which buttons were shown."""
    team = _team_staff(ctx, user)
    covering = await q.contracts_holding(ctx.session, [resident_id], (ContractState.ACTIVE,))
    contract = next((c for c in covering if c.staff_id in team), None)
    if contract is None:
        raise NotAllowed
    resident = (await q.residents_by_id(ctx.session, [resident_id]))[resident_id]
    record_audit(
        ctx.session, at=ctx.clock.now(), actor_user_id=user.id, action="resident_viewed",
        subject_type="resident", subject_id=resident_id,
    )  # fmt: skip
    await ctx.session.commit()
    return resident, contract


@dataclass(frozen=True)
class RequestLine:
    """One request in 📋 待办: who applied (the first member) and for how many people."""

    contract_id: int
    applicant: str
    people: int


@dataclass(frozen=True)
class ReviewDesk:
    requests: list[RequestLine]
    open_questions: int


async def review_desk(ctx: SigningContext, user: User) -> ReviewDesk:
    """📋 待办: the team's requests (not only one doctor's) and the team's open questions."""
    queue = await review_queue(ctx, user)
    desk = await staff_desk(ctx.session, _staff_id(user))
    residents = await q.residents_by_id(ctx.session, [c.members[0].resident_id for c in queue])
    lines = [
        RequestLine(c.id, residents[c.members[0].resident_id].name, len(c.members)) for c in queue
    ]
    return ReviewDesk(lines, desk.open_questions)


@dataclass(frozen=True)
class RequestView:
    contract: Contract
    residents: dict[int, Resident]  # the request's members by id
    decided: bool  # answered already: shown, no longer decided


async def request_for_staff(ctx: SigningContext, user: User, contract_id: int) -> RequestView:
    contract = await contract_for_staff(ctx, user, contract_id)
    residents = await q.residents_by_id(ctx.session, [m.resident_id for m in contract.members])
    return RequestView(contract, residents, contract.state is not ContractState.REQUESTED)
