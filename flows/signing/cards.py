"""The "my family doctor" card (签约卡): the doctor and team, clinic room and hours, the
contract's term and state, and for each person the packages with entitlements used against
those included ("随访 4 次，已用 1 次"). The resident and their doctor see the same card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from flows.centre import CentreConfig, Package, PackageItem
from flows.packages.service import yearly_times
from flows.signing import changes
from flows.signing.context import SigningContext
from flows.signing.lifecycle import service_year
from storage import contracts as q
from storage.models import Contract, ContractState, Relation, StaffRole, User


@dataclass(frozen=True)
class ClinicSlot:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class TeamMate:
    name: str
    role: StaffRole
    title: str


@dataclass(frozen=True)
class Entitlement:
    item: PackageItem
    included: int  # a year
    used: int  # this contract year


@dataclass(frozen=True)
class PackageUse:
    package: Package
    entitlements: list[Entitlement]


@dataclass(frozen=True)
class MemberCard:
    name: str
    relation: Relation
    packages: list[PackageUse]


@dataclass(frozen=True)
class ContractCard:
    contract_id: int
    state: ContractState
    doctor_name: str
    doctor_title: str
    doctor_title_en: str  # "" when config.yml gives none
    room: str
    room_en: str
    hours: list[ClinicSlot]
    team_name: str
    team_name_en: str
    team: list[TeamMate]
    term_years: int
    starts_on: date | None
    ends_on: date | None
    members: list[MemberCard]
    own_share_per_year: float


async def build_card(
    session: AsyncSession, centre: CentreConfig, contract: Contract, today: date
) -> ContractCard:
    doctor = await q.team_of(session, contract.staff_id)
    assert doctor is not None
    residents = await q.residents_by_id(session, [m.resident_id for m in contract.members])
    if contract.starts_on is not None:
        year_start, year_end = service_year(contract.starts_on, today)
    else:
        year_start, year_end = today, today
    since = datetime.combine(year_start, time(), tzinfo=centre.zone).astimezone(UTC)
    until = datetime.combine(year_end, time(), tzinfo=centre.zone).astimezone(UTC)
    item_ids = await _package_item_ids(session, contract)
    members: list[MemberCard] = []
    own = 0.0
    for member in contract.members:
        resident = residents[member.resident_id]
        used = await q.deliveries_count(session, resident.id, item_ids.values(), since, until)
        uses = []
        chosen_ids = {chosen.package_id for chosen in member.packages}
        for package in centre.packages:  # in the catalogue's order, as everywhere else
            if package.id not in chosen_ids:
                continue
            own += package.price * (1 - package.insurance_share)
            entitlements = [
                Entitlement(item, yearly_times(item), used.get(item_ids[(package.id, pos)], 0))
                for pos, item in enumerate(package.items)
                if (package.id, pos) in item_ids
            ]
            uses.append(PackageUse(package, entitlements))
        members.append(MemberCard(resident.name, resident.relation, uses))
    team = doctor.team
    # English words live only in config.yml (the database keeps the Chinese ones).
    described = centre.staff(doctor.id)
    described_team = centre.team_of(doctor.id)
    return ContractCard(
        contract_id=contract.id,
        state=contract.state,
        doctor_name=doctor.name,
        doctor_title=doctor.title,
        doctor_title_en=described.title_en if described else "",
        room=doctor.room,
        room_en=described.room_en if described else "",
        hours=[ClinicSlot(h.weekday, h.start, h.end) for h in doctor.clinic_hours],
        team_name=team.name,
        team_name_en=described_team.name_en if described_team else "",
        team=[TeamMate(m.name, m.role, m.title) for m in team.members if m.active],
        term_years=contract.term_years,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        members=members,
        own_share_per_year=round(own, 2),
    )


async def _package_item_ids(
    session: AsyncSession, contract: Contract
) -> dict[tuple[str, int], int]:
    """(package id, item position) → package_items.id, for counting deliveries."""
    package_ids = {p.package_id for m in contract.members for p in m.packages}
    return await q.package_item_ids(session, package_ids)


@dataclass(frozen=True)
class CardView:
    """What 📝 签约 shows a household that has a contract or a request waiting."""

    card: ContractCard
    requested: bool  # still waiting for the doctor's answer
    changing_to: str | None  # the doctor a change of doctor waits for, by name
    change_id: int | None  # that pending change, which the household may take back
    renewable: bool  # 一键续约 is offered now


async def card_view(ctx: SigningContext, user: User) -> CardView | None:
    """The household's card, or None when nothing is signed or requested. Renewal is offered
    from the first renewal notice on, and not while a change of doctor waits (the new
    contract decides the next term)."""
    contract = await changes.current(ctx, user)
    if contract is None:
        return None
    card = await build_card(ctx.session, ctx.centre, contract, ctx.today())
    if contract.state is ContractState.REQUESTED:
        return CardView(card, requested=True, changing_to=None, change_id=None, renewable=False)
    change = await changes.pending_change(ctx, contract)
    doctor = ctx.centre.staff(change.staff_id) if change is not None else None
    renewable = change is None and ctx.today() >= changes.renewable_from(ctx, contract)
    return CardView(
        card,
        requested=False,
        changing_to=(doctor.name if doctor else "") if change is not None else None,
        change_id=change.id if change is not None else None,
        renewable=renewable,
    )
