"""Queries about contracts (签约): who holds a place with which doctor, what a household or a
doctor may see, and the lock that makes the last free place go to exactly one household."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.locks import lock_row
from storage.models import (
    Contract,
    ContractMember,
    ContractState,
    Household,
    MessageState,
    PackageItem,
    Resident,
    ScheduledMessage,
    ServiceDelivery,
    Staff,
    StaffRole,
    Team,
    User,
    WaitlistEntry,
)

# A requested contract already holds its places: approval must never overfill a doctor.
HOLDS_A_PLACE = (ContractState.REQUESTED, ContractState.ACTIVE)
_FULL = (
    selectinload(Contract.members).selectinload(ContractMember.packages),
    selectinload(Contract.transitions),
)


async def lock_household(session: AsyncSession, household_id: int) -> None:
    """Takes the household's lock for the rest of the transaction, so what a household's
    contracts go through (a request, renewal, change of doctor, cancellation, the doctor's
    answer, expiry) happens one at a time, each seeing what the one before committed; a
    double tap cannot sign, renew or approve twice. Taken before `lock_doctor`, never after.
    PostgreSQL: a row lock (FOR NO KEY UPDATE: rows pointing at the household may still be
    added meanwhile); SQLite: the database write lock, taken by a no-op write."""
    await lock_row(session, Household.id, household_id, noop=Household.created_at, key_share=True)


async def lock_doctor(session: AsyncSession, staff_id: str) -> Staff | None:
    """Takes the doctor's row lock for the rest of the transaction, so counting places and
    taking one cannot interleave with another household doing the same. PostgreSQL: a row
    lock; SQLite: the database write lock, taken by a no-op write."""
    if session.get_bind().dialect.name == "postgresql":
        return await session.scalar(
            select(Staff)
            .where(Staff.id == staff_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    await session.execute(update(Staff).where(Staff.id == staff_id).values(id=Staff.id))
    return await session.get(Staff, staff_id, populate_existing=True)


async def places_taken(session: AsyncSession, staff_ids: Iterable[str]) -> dict[str, int]:
    """Residents in requested or active contracts, per doctor."""
    ids = list(staff_ids)
    rows = await session.execute(
        select(Contract.staff_id, func.count(ContractMember.id))
        .join(ContractMember, ContractMember.contract_id == Contract.id)
        .where(Contract.staff_id.in_(ids), Contract.state.in_(HOLDS_A_PLACE))
        .group_by(Contract.staff_id)
    )
    taken = dict.fromkeys(ids, 0)
    taken.update({staff_id: count for staff_id, count in rows})
    return taken


async def gps(session: AsyncSession, team_id: str | None = None) -> Sequence[Staff]:
    """Active GPs (they hold contracts), of one team or all, with clinic hours and team."""
    query = (
        select(Staff)
        .where(Staff.active, Staff.role == StaffRole.GP)
        .options(selectinload(Staff.clinic_hours), selectinload(Staff.team))
        .order_by(Staff.team_id, Staff.id)
    )
    if team_id is not None:
        query = query.where(Staff.team_id == team_id)
    return (await session.scalars(query)).all()


async def team_of(session: AsyncSession, staff_id: str) -> Staff | None:
    """The doctor with clinic hours and team. A query, not session.get: get() returns a row
    already in the session as it is, without loading what the card needs."""
    return await session.scalar(
        select(Staff)
        .where(Staff.id == staff_id)
        .options(
            selectinload(Staff.clinic_hours),
            selectinload(Staff.team).selectinload(Team.members),
        )
    )


async def household_residents(session: AsyncSession, household_id: int) -> Sequence[Resident]:
    return (
        await session.scalars(
            select(Resident).where(Resident.household_id == household_id).order_by(Resident.id)
        )
    ).all()


async def contracts_holding(
    session: AsyncSession, resident_ids: Iterable[int], states: Iterable[ContractState]
) -> Sequence[Contract]:
    """Contracts in these states that cover any of these residents."""
    return (
        await session.scalars(
            select(Contract)
            .join(ContractMember, ContractMember.contract_id == Contract.id)
            .where(ContractMember.resident_id.in_(list(resident_ids)))
            .where(Contract.state.in_(list(states)))
            .options(*_FULL)
            .distinct()
            .order_by(Contract.id)
        )
    ).all()


async def household_contract(
    session: AsyncSession, household_id: int, states: Iterable[ContractState]
) -> Contract | None:
    """The household's newest contract in one of these states, as committed now (a copy the
    session already holds is refreshed: rules decide on the state read under the lock)."""
    return await session.scalar(
        select(Contract)
        .where(Contract.household_id == household_id, Contract.state.in_(list(states)))
        .options(*_FULL)
        .order_by(Contract.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )


async def household_assigned_to(
    session: AsyncSession, household_id: int, staff_ids: Iterable[str]
) -> bool:
    """Whether the household is assigned to these staff (a team): one of them holds a
    contract of the household that holds a place (requested or active). The one definition
    every staff view uses: a household that moved to another team (a change of doctor, a
    cancellation, an expiry, a refused request) is no longer shown to the old team, whatever
    state the old contract they still have buttons for is in. While a change of doctor waits,
    both teams are assigned: the old one still serves, the new one decides."""
    found = await session.scalar(
        select(Contract.id)
        .where(
            Contract.household_id == household_id,
            Contract.staff_id.in_(list(staff_ids)),
            Contract.state.in_(HOLDS_A_PLACE),
        )
        .limit(1)
    )
    return found is not None


async def contract_by_id(session: AsyncSession, contract_id: int) -> Contract | None:
    """The contract as committed now, even when the session already holds a copy."""
    return await session.get(Contract, contract_id, options=list(_FULL), populate_existing=True)


async def doctor_contracts(
    session: AsyncSession,
    staff_ids: Iterable[str],
    states: Iterable[ContractState],
    limit: int = 50,
) -> Sequence[Contract]:
    """Contracts held by these doctors (one doctor, or a team's), oldest request first."""
    return (
        await session.scalars(
            select(Contract)
            .where(Contract.staff_id.in_(list(staff_ids)), Contract.state.in_(list(states)))
            .options(*_FULL)
            .order_by(Contract.requested_at, Contract.id)
            .limit(limit)
        )
    ).all()


async def all_contracts(
    session: AsyncSession, states: Iterable[ContractState] | None = None
) -> Sequence[Contract]:
    query = select(Contract).options(*_FULL).order_by(Contract.id)
    if states is not None:
        query = query.where(Contract.state.in_(list(states)))
    return (await session.scalars(query)).all()


async def residents_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, Resident]:
    rows = await session.scalars(select(Resident).where(Resident.id.in_(list(ids))))
    return {r.id: r for r in rows}


async def changes_since(session: AsyncSession, household_id: int, since: datetime) -> int:
    """Approved changes of doctor (改签) for this household since a moment."""
    return (
        await session.scalar(
            select(func.count(Contract.id)).where(
                Contract.household_id == household_id,
                Contract.replaces_id.is_not(None),
                Contract.state.in_((ContractState.ACTIVE, *ENDED_AFTER_ACTIVE)),
                Contract.requested_at >= since,
            )
        )
        or 0
    )


ENDED_AFTER_ACTIVE = (ContractState.EXPIRED, ContractState.CANCELLED, ContractState.RENEWED)


async def ended_contracts(session: AsyncSession, today: date) -> Sequence[Contract]:
    """Active contracts whose last day is before today."""
    return (
        await session.scalars(
            select(Contract)
            .where(Contract.state == ContractState.ACTIVE, Contract.ends_on < today)
            .options(*_FULL)
            .order_by(Contract.id)  # households are locked in this order
        )
    ).all()


async def deliveries_count(
    session: AsyncSession,
    resident_id: int,
    item_ids: Iterable[int],
    since: datetime,
    until: datetime,
) -> dict[int, int]:
    """How many times each package item was delivered to a resident within a period."""
    rows = await session.execute(
        select(ServiceDelivery.package_item_id, func.count(ServiceDelivery.id))
        .where(
            ServiceDelivery.resident_id == resident_id,
            ServiceDelivery.package_item_id.in_(list(item_ids)),
            ServiceDelivery.delivered_at >= since,
            ServiceDelivery.delivered_at < until,
        )
        .group_by(ServiceDelivery.package_item_id)
    )
    return {item_id: count for item_id, count in rows}


async def staff_users(session: AsyncSession, staff_ids: Iterable[str]) -> Sequence[User]:
    """The bot accounts of these staff members (those who redeemed an invite), skipping staff
    no longer in config.yml."""
    return (
        await session.scalars(
            select(User)
            .join(Staff, Staff.id == User.staff_id)
            .where(User.staff_id.in_(list(staff_ids)), Staff.active)
        )
    ).all()


async def cancel_pending_messages(session: AsyncSession, key_prefix: str) -> None:
    """Withdraws messages not sent yet whose dedupe key starts with `key_prefix`."""
    await session.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.dedupe_key.startswith(key_prefix, autoescape=True),
            ScheduledMessage.state == MessageState.PENDING,
        )
        .values(state=MessageState.CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def waitlist_entry(session: AsyncSession, household_id: int) -> WaitlistEntry | None:
    return await session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.household_id == household_id)
    )


async def waiting_households(
    session: AsyncSession, community_ids: Iterable[str]
) -> Sequence[WaitlistEntry]:
    return (
        await session.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.community_id.in_(list(community_ids)))
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
    ).all()


async def household_user(session: AsyncSession, household_id: int) -> User | None:
    """The Telegram account that manages a household (its member with a user)."""
    return await session.scalar(
        select(User)
        .join(Resident, Resident.user_id == User.id)
        .where(Resident.household_id == household_id)
        .order_by(Resident.id)
        .limit(1)
    )


async def package_item_ids(
    session: AsyncSession, package_ids: Iterable[str]
) -> dict[tuple[str, int], int]:
    """(package id, item position) → package_items.id."""
    rows = await session.execute(
        select(PackageItem.package_id, PackageItem.position, PackageItem.id).where(
            PackageItem.package_id.in_(list(package_ids))
        )
    )
    return {(package_id, position): item_id for package_id, position, item_id in rows}


async def staff_by_id(session: AsyncSession) -> dict[str, Staff]:
    """Every staff row, active or not (old contracts still point at departed doctors)."""
    return {s.id: s for s in await session.scalars(select(Staff).order_by(Staff.id))}
