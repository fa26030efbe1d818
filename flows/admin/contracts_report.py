"""Contracts as the centre's admin reviews them: one line per contract for the terminal, one
row per covered resident for the spreadsheet. Plain shaping over storage queries; no printing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from flows.admin.service import UnknownStaff
from flows.centre import CentreConfig
from flows.packages.service import package_by_id, price_of
from storage import contracts as q
from storage.models import ContractMember, ContractState, Staff, StaffRole

CSV_COLUMNS = (
    "contract_id",
    "state",
    "doctor_id",
    "doctor_name",
    "team_id",
    "term_years",
    "starts_on",
    "ends_on",
    "requested_at",
    "resident_id",
    "resident_name",
    "relation",
    "packages",
    "own_share_yuan_per_year",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ContractLine:
    """One contract in the listing."""

    id: int
    state: ContractState
    doctor_id: str
    doctor_name: str
    people: int
    starts_on: date | None
    ends_on: date | None
    requested_on: date  # in the centre's zone
    packages: dict[str, int]  # package id → how many members have it, catalogue order


@dataclass(frozen=True)
class MemberRow:
    """One resident covered by one contract, as exported."""

    contract_id: int
    state: ContractState
    doctor_id: str
    doctor_name: str
    team_id: str
    term_years: int
    starts_on: date | None
    ends_on: date | None
    requested_at: datetime  # in the centre's zone
    resident_id: int
    resident_name: str
    relation: str
    packages: tuple[str, ...]
    # What the resident pays a year after insurance; None when a package of theirs is no
    # longer in config.yml, so no price is known (rather than a silently low figure).
    own_share_yuan_per_year: Decimal | None

    def csv_record(self) -> dict[str, str]:
        share = self.own_share_yuan_per_year
        return {
            "contract_id": str(self.contract_id),
            "state": self.state.value,
            "doctor_id": self.doctor_id,
            "doctor_name": _inert(self.doctor_name),
            "team_id": self.team_id,
            "term_years": str(self.term_years),
            "starts_on": self.starts_on.isoformat() if self.starts_on else "",
            "ends_on": self.ends_on.isoformat() if self.ends_on else "",
            "requested_at": self.requested_at.isoformat(timespec="seconds"),
            "resident_id": str(self.resident_id),
            "resident_name": _inert(self.resident_name),
            "relation": self.relation,
            "packages": "+".join(self.packages),
            "own_share_yuan_per_year": f"{share:.2f}" if share is not None else "",
        }


async def contract_lines(
    session: AsyncSession,
    centre: CentreConfig,
    *,
    state: ContractState | None = None,
    doctor: str | None = None,
) -> list[ContractLine]:
    """Contracts oldest first, of one state and/or one doctor when asked; an unknown doctor
    raises UnknownStaff (a typo should not read as "no contracts")."""
    staff = await q.staff_by_id(session)
    if doctor is not None and doctor not in staff:
        known = ", ".join(s.id for s in staff.values() if s.role is StaffRole.GP)
        raise UnknownStaff(f"no staff member {doctor!r}; doctors: {known}")
    contracts = await q.all_contracts(session, None if state is None else (state,))
    return [
        ContractLine(
            id=c.id,
            state=c.state,
            doctor_id=c.staff_id,
            doctor_name=_name(staff, c.staff_id),
            people=len(c.members),
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            requested_on=c.requested_at.astimezone(centre.zone).date(),
            packages=_package_counts(c.members, centre),
        )
        for c in contracts
        if doctor is None or c.staff_id == doctor
    ]


def state_counts(lines: Iterable[ContractLine]) -> dict[ContractState, int]:
    """Contracts per state, in the states' own order, states with none left out."""
    counts = Counter(line.state for line in lines)
    return {s: counts[s] for s in ContractState if counts[s]}


async def member_rows(session: AsyncSession, centre: CentreConfig) -> list[MemberRow]:
    """Every contract member of every contract, by contract then resident."""
    contracts = await q.all_contracts(session)
    staff = await q.staff_by_id(session)
    residents = await q.residents_by_id(
        session, {m.resident_id for c in contracts for m in c.members}
    )
    rows: list[MemberRow] = []
    for contract in contracts:
        doctor = staff.get(contract.staff_id)
        for member in sorted(contract.members, key=lambda m: m.resident_id):
            resident = residents[member.resident_id]
            packages = _ordered([p.package_id for p in member.packages], centre)
            rows.append(
                MemberRow(
                    contract_id=contract.id,
                    state=contract.state,
                    doctor_id=contract.staff_id,
                    doctor_name=_name(staff, contract.staff_id),
                    team_id=doctor.team_id if doctor else "",
                    term_years=contract.term_years,
                    starts_on=contract.starts_on,
                    ends_on=contract.ends_on,
                    requested_at=contract.requested_at.astimezone(centre.zone),
                    resident_id=resident.id,
                    resident_name=resident.name,
                    relation=resident.relation.value,
                    packages=tuple(packages),
                    own_share_yuan_per_year=_own_share(packages, centre),
                )
            )
    return rows


def _inert(text: str) -> str:
    """Typed text that a spreadsheet would run as a formula (=, +, -, @) is quoted with a
    leading apostrophe, which Excel and LibreOffice show as plain text."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _name(staff: dict[str, Staff], staff_id: str) -> str:
    doctor = staff.get(staff_id)
    return doctor.name if doctor else ""


def _ordered(package_ids: Sequence[str], centre: CentreConfig) -> list[str]:
    """Catalogue order (basic first), packages no longer in config.yml last."""
    order = {p.id: i for i, p in enumerate(centre.packages)}
    return sorted(dict.fromkeys(package_ids), key=lambda p: (order.get(p, len(order)), p))


def _package_counts(members: Iterable[ContractMember], centre: CentreConfig) -> dict[str, int]:
    counts = Counter(p.package_id for m in members for p in m.packages)
    return {p: counts[p] for p in _ordered(list(counts), centre)}


def _own_share(package_ids: Iterable[str], centre: CentreConfig) -> Decimal | None:
    total = Decimal("0.00")
    for package_id in package_ids:
        package = package_by_id(centre, package_id)
        if package is None:
            return None
        total += Decimal(str(price_of(package).own))
    return total.quantize(Decimal("0.01"))
